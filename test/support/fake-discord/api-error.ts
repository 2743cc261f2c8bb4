/** An answer in Discord's error shape: `{ message, code }` with the HTTP status it comes with. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: number;
  /** Extra fields of the body, e.g. `errors` of an Invalid Form Body. */
  readonly extra: Record<string, unknown>;

  constructor(status: number, code: number, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }

  body(): Record<string, unknown> {
    return { message: this.message, code: this.code, ...this.extra };
  }
}

/** The errors the fake answers with, by Discord's JSON error codes. */
export const apiErrors = {
  unauthorized: () => new ApiError(401, 0, '401: Unauthorized'),
  notFound: () => new ApiError(404, 0, '404: Not Found'),
  methodNotAllowed: () => new ApiError(405, 0, '405: Method Not Allowed'),
  unknownGuild: () => new ApiError(404, 10004, 'Unknown Guild'),
  unknownChannel: () => new ApiError(404, 10003, 'Unknown Channel'),
  unknownMember: () => new ApiError(404, 10007, 'Unknown Member'),
  unknownMessage: () => new ApiError(404, 10008, 'Unknown Message'),
  unknownUser: () => new ApiError(404, 10013, 'Unknown User'),
  unknownEmoji: () => new ApiError(400, 10014, 'Unknown Emoji'),
  unknownWebhook: () => new ApiError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => new ApiError(404, 10062, 'Unknown interaction'),
  unknownCommand: () => new ApiError(404, 10063, 'Unknown application command'),
  tooManyAttachments: () => new ApiError(400, 30015, 'Maximum number of attachments in a message reached (10)'),
  entityTooLarge: () => new ApiError(413, 40005, 'Request entity too large'),
  alreadyAcknowledged: () => new ApiError(400, 40060, 'Interaction has already been acknowledged.'),
  cannotEditOthers: () => new ApiError(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: () => new ApiError(400, 50006, 'Cannot send an empty message'),
  invalidWebhookToken: () => new ApiError(401, 50027, 'Invalid Webhook Token'),
  invalidJson: () => new ApiError(400, 50109, 'The request body contains invalid JSON.'),
  /** `errors` maps a field path to a reason, flattened from Discord's nested `_errors` tree. */
  invalidFormBody: (errors: Record<string, string>) =>
    new ApiError(400, 50035, 'Invalid Form Body', {
      errors: Object.fromEntries(
        Object.entries(errors).map(([field, message]) => [field, { _errors: [{ code: 'BASE_TYPE_INVALID', message }] }]),
      ),
    }),
} as const;
