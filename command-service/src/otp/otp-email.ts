import type { TenantConfig } from '@otp/contracts';
import type { OutgoingEmail } from '../email/mailer';
import { escapeHtml, renderTemplate, type TemplateValues } from '../tenant-config/email-templates';

const DEFAULT_TEXT =
  'Your sign-in code is {{otp}}\nIt expires in {{expiresInMinutes}} minutes. If you did not ask for it, ignore this email.\n';
const DEFAULT_HTML =
  '<p>Your sign-in code is</p><p style="font-size:24px;letter-spacing:4px"><strong>{{otp}}</strong></p><p>It expires in {{expiresInMinutes}} minutes. If you did not ask for it, ignore this email.</p>';

const defaultSubject = (appName: string): string => (appName === '' ? 'Your sign-in code' : 'Your {{appName}} sign-in code');

/**
 * The sign-in code message in the tenant's words: each empty template is the service's default
 * text. Values are escaped in the HTML part, and line breaks leave the subject, so neither an
 * address nor an app name can add markup or a header.
 */
export function otpEmail(
  input: { id: string; to: string; code: string; expiresInMinutes: number },
  settings: Pick<TenantConfig['email'], 'appName' | 'subject' | 'text' | 'html'>,
): OutgoingEmail {
  const values: TemplateValues = {
    otp: input.code,
    appName: settings.appName,
    expiresInMinutes: String(input.expiresInMinutes),
    email: input.to,
  };
  const subject = renderTemplate(settings.subject || defaultSubject(settings.appName), values).replace(/[\r\n]+/g, ' ');
  return {
    id: input.id,
    to: input.to,
    subject,
    text: renderTemplate(settings.text || DEFAULT_TEXT, values),
    html: renderTemplate(settings.html || DEFAULT_HTML, values, escapeHtml),
  };
}
