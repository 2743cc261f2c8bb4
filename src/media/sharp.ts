import sharp from 'sharp';

/**
 * sharp as the bot and worker use it. Every image is decoded once and never again, so
 * libvips' operation cache (up to 50 MB by default) would only hold memory the bot's
 * 150 MB budget needs; it is off.
 */
sharp.cache(false);

export { sharp };
