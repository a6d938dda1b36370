import type { TenantConfig } from '@otp/contracts';

/** The only values a tenant's template may name; anything else is refused when the config is written, never at send time. */
export const TEMPLATE_VARIABLES = ['otp', 'appName', 'expiresInMinutes', 'email'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Record<TemplateVariable, string>;

type EmailSettings = TenantConfig['email'];
export type TemplateField = 'subject' | 'text' | 'html';

// `{{ name }}` with optional spaces; whatever sits between the braces is the name, so `{{ o t p }}` is an unknown variable.
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

const isVariable = (name: string): name is TemplateVariable => (TEMPLATE_VARIABLES as readonly string[]).includes(name);

/** What is wrong with a tenant's templates, the first fault found; null when they may be stored. */
export type TemplateFault =
  { kind: 'unknown_variable'; field: TemplateField; variable: string } | { kind: 'missing_otp'; field: 'text' | 'html' };

export function templateFault(email: Pick<EmailSettings, TemplateField>): TemplateFault | null {
  for (const field of ['subject', 'text', 'html'] as const) {
    for (const [, name = ''] of email[field].matchAll(PLACEHOLDER)) {
      if (!isVariable(name)) return { kind: 'unknown_variable', field, variable: name };
    }
  }
  // Empty means the default text, which has the code; a template of the tenant's own must show it too.
  for (const field of ['text', 'html'] as const) {
    const named = [...email[field].matchAll(PLACEHOLDER)].some(([, name]) => name === 'otp');
    if (email[field] !== '' && !named) return { kind: 'missing_otp', field };
  }
  return null;
}

/** The fault as the caller reads it: the field and the variable, never a value. */
export function describeFault(fault: TemplateFault): string {
  const allowed = TEMPLATE_VARIABLES.map((name) => `{{${name}}}`).join(', ');
  return fault.kind === 'unknown_variable'
    ? `email.${fault.field} uses {{${fault.variable}}}, which is not one of ${allowed}`
    : `email.${fault.field} must contain {{otp}} (or be empty for the default text)`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/**
 * Fills each placeholder once, left to right: a value that itself looks like `{{otp}}` (an app
 * name, an address) is never expanded again. `escape` is applied to values only, so the
 * tenant's own HTML stays as written while an address cannot inject markup.
 */
export function renderTemplate(template: string, values: TemplateValues, escape: (value: string) => string = (v) => v): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (isVariable(name) ? escape(values[name]) : whole));
}
