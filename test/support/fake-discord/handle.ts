import { viewMessage } from './messages.ts';
import type { Ack, InteractionRecord, MessageVersion, State } from './state.ts';
import { waitFor, type WaitOptions } from './wait.ts';
import type { WireMessage } from './wire.ts';

/** A message as tests read it: the wire shape plus whether it has been deleted. */
export type FakeMessage = WireMessage & { deleted: boolean };

export function asFakeMessage(state: State, id: string | undefined): FakeMessage | undefined {
  const stored = id === undefined ? undefined : state.messages.get(id);
  return stored ? { ...viewMessage(state, stored), deleted: stored.deleted } : undefined;
}

/** What a test holds after invoking a command or clicking a button. */
export type InteractionHandle = {
  readonly id: string;
  readonly token: string;
  /** False when no gateway session was identified to receive the interaction (the bot was offline). */
  readonly delivered: boolean;
  /** The callback, once it came; undefined before. */
  readonly ack: Ack | undefined;
  /** Resolves with the first callback (type and fake-clock time). */
  acked(options?: WaitOptions): Promise<Ack>;
  /** The original response message (the reply or the deferral's message), as it is now. */
  response(): FakeMessage | undefined;
  /** Waits until the original response satisfies `predicate` (e.g. has an attachment). */
  waitForResponse(predicate?: (message: FakeMessage) => boolean, options?: WaitOptions): Promise<FakeMessage>;
  /** Every version of the original response: the deferral, each edit. */
  history(): MessageVersion[];
  followups(): FakeMessage[];
  waitForFollowup(predicate?: (message: FakeMessage) => boolean, options?: WaitOptions): Promise<FakeMessage>;
  /** Autocomplete choices the bot answered with, or a modal it opened. */
  choices(): unknown[] | undefined;
  modal(): unknown;
};

export function interactionHandle(state: State, record: InteractionRecord, delivered: boolean): InteractionHandle {
  const response = () => asFakeMessage(state, record.originalMessageId);
  const followups = () => record.followupIds.map((id) => asFakeMessage(state, id)).filter((message) => message !== undefined);
  return {
    id: record.id,
    token: record.token,
    delivered,
    get ack() {
      return record.ack;
    },
    acked: (options) => waitFor(state, () => record.ack, { description: `the callback of interaction ${record.id} (/${record.name})${delivered ? '' : ', which no gateway session received'}`, ...options }),
    response,
    waitForResponse: (predicate = () => true, options) =>
      waitFor(state, () => {
        const message = response();
        return message && predicate(message) ? message : undefined;
      }, { description: `the response to /${record.name} to match`, ...options }),
    history: () => (record.originalMessageId ? (state.messages.get(record.originalMessageId)?.versions ?? []) : []),
    followups,
    waitForFollowup: (predicate = () => true, options) =>
      waitFor(state, () => followups().find(predicate), { description: `a followup to /${record.name}`, ...options }),
    choices: () => record.choices,
    modal: () => record.modal,
  };
}
