import { resolve } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';

/** One channel per events file, shared by every thread of this process that opens it. */
function channelName(file: string): string {
  return `otp-event-store-commits:${resolve(file)}`;
}

/**
 * Announces a commit to every other thread of this process that follows the same events file
 * (the embedded server's projection thread), so its live subscriptions read at once instead of
 * polling. A BroadcastChannel rather than a port plumbed through the composition root: the
 * writer and its followers only need to agree on the file, and the announcement is sent from
 * wherever the commit ran (the writer thread), costing the request path nothing. Writers in
 * other processes cannot reach it; followers keep a slow poll for them.
 */
export class CommitAnnouncer {
  private readonly channel: BroadcastChannel;

  constructor(file: string) {
    this.channel = new BroadcastChannel(channelName(file));
    this.channel.unref();
  }

  announce(): void {
    this.channel.postMessage(null);
  }

  close(): void {
    this.channel.close();
  }
}

/**
 * Hears the commits announced for a file while at least one live subscription wants them, and
 * hands each to `onCommit`. Closed when the last one ends, so a store that never subscribes (the
 * server's request side) takes no message per commit.
 */
export class CommitListener {
  private channel: BroadcastChannel | undefined;
  private users = 0;

  constructor(
    private readonly file: string,
    private readonly onCommit: () => void,
  ) {}

  /** Call before the first read of a subscription, so no commit after it goes unheard; answers the release. */
  acquire(): () => void {
    if (this.users++ === 0) {
      const channel = new BroadcastChannel(channelName(this.file));
      channel.onmessage = () => this.onCommit();
      // Hearing commits is no reason to keep a process alive.
      channel.unref();
      this.channel = channel;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.users === 0) {
        this.channel?.close();
        this.channel = undefined;
      }
    };
  }
}
