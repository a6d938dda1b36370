/** The port for outgoing email. Adapters: SMTP (nodemailer) and the dev mailbox. */
export interface OutgoingEmail {
  /** Stable id: the dev mailbox names its file after it, SMTP uses it in Message-ID. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): Promise<void>;
}

export class EmailDeliveryError extends Error {
  override readonly name = 'EmailDeliveryError';
}
