/**
 * The agents' second factor: TOTP (RFC 6238) with the `otpauth` package — HMAC-SHA-1, 6 digits, a
 * 30-second step, a code of the step before or after accepted (clock drift), never the same step twice
 * (`agents.totp_last_step`, docs/regles.md#operateur). Time comes from the injected Clock.
 */
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** steps accepted on each side of the current one */
export const TOTP_WINDOW = 1;
const ISSUER = 'SOLTéA opérateur';

function totpOf(secretBase32: string, label = 'agent'): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** A new random secret of 160 bits (RFC 4226's recommended length), in base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The time step of an instant. */
export const stepOf = (at: Date): number => Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);

/** The code of the step containing `at` (the demo's `operateur-code`, the tests). */
export function totpCode(secretBase32: string, at: Date): string {
  return totpOf(secretBase32).generate({ timestamp: at.getTime() });
}

/** The step a code belongs to, within the window around `at`; null when it matches none. */
export function matchingStep(secretBase32: string, code: string, at: Date): number | null {
  const token = code.replace(/\s+/g, '');
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(token)) return null;
  const delta = totpOf(secretBase32).validate({ token, timestamp: at.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : stepOf(at) + delta;
}

/** The otpauth:// URI an authenticator application reads from the QR code. */
export function totpUri(secretBase32: string, courriel: string): string {
  return totpOf(secretBase32, courriel).toString();
}

/** The QR code of the URI as an SVG drawn on the server (no script, no third party). */
export async function totpQrSvg(secretBase32: string, courriel: string): Promise<string> {
  return QRCode.toString(totpUri(secretBase32, courriel), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The secret grouped by four characters, to type by hand. */
export const groupedSecret = (secretBase32: string): string => secretBase32.replace(/(.{4})(?=.)/g, '$1 ');
