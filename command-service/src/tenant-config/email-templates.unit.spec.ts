import { describe, expect, it } from 'vitest';
import { describeFault, escapeHtml, renderTemplate, templateFault } from './email-templates';

const none = { subject: '', text: '', html: '' };
const values = { otp: '123456', appName: 'Acme <Shop>', expiresInMinutes: '10', email: 'ada@example.com' };

describe('template rules', () => {
  it('takes empty templates: each means the default text', () => expect(templateFault(none)).toBeNull());

  it('takes every known variable, with or without spaces inside the braces', () =>
    expect(
      templateFault({ subject: '{{appName}} code for {{ email }}', text: '{{otp}} ({{expiresInMinutes}} min)', html: '<b>{{ otp }}</b>' }),
    ).toBeNull());

  it.each([
    ['subject', { ...none, subject: 'Hi {{name}}' }, 'name'],
    ['text', { ...none, text: '{{otp}} {{ code }}' }, 'code'],
    ['html', { ...none, html: '{{otp}}{{OTP}}' }, 'OTP'],
    ['text', { ...none, text: '{{otp}} {{}}' }, ''],
  ] as const)('refuses an unknown variable in %s, naming it', (field, email, variable) =>
    expect(templateFault(email)).toEqual({ kind: 'unknown_variable', field, variable }),
  );

  it.each(['text', 'html'] as const)('refuses a %s template without {{otp}}', (field) =>
    expect(templateFault({ ...none, [field]: 'Welcome to {{appName}}' })).toEqual({ kind: 'missing_otp', field }),
  );

  it('lets the subject leave the code out', () => expect(templateFault({ ...none, subject: 'Your {{appName}} code' })).toBeNull());

  it('names the field and the variable for the caller', () => {
    expect(describeFault({ kind: 'unknown_variable', field: 'subject', variable: 'name' })).toMatch(/^email\.subject uses \{\{name\}\}/);
    expect(describeFault({ kind: 'missing_otp', field: 'html' })).toMatch(/^email\.html must contain \{\{otp\}\}/);
  });
});

describe('rendering', () => {
  it('fills every variable', () =>
    expect(renderTemplate('{{appName}}: {{ otp }} for {{email}}, {{expiresInMinutes}} min', values)).toBe(
      'Acme <Shop>: 123456 for ada@example.com, 10 min',
    ));

  it('escapes the values, not the template, in HTML', () =>
    expect(renderTemplate('<p>{{appName}}</p>', values, escapeHtml)).toBe('<p>Acme &lt;Shop&gt;</p>'));

  it('never expands a value that looks like a placeholder', () =>
    expect(renderTemplate('{{appName}} {{otp}}', { ...values, appName: '{{otp}}' })).toBe('{{otp}} 123456'));
});
