import { disposableDomains } from './disposable-domains.js';

/**
 * E-mail syntax as forms need it: one `@`, a local part of printable ASCII without spaces (RFC 5322 dot-atom,
 * no quoted strings), a domain of at least two DNS labels. Stricter than RFC 5322 on purpose: what passes
 * here is what mail servers accept in practice.
 */
const localPart = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const label = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why the address is not valid, or undefined. */
export function emailProblem(address: string): string | undefined {
  if (address.length > 254) return 'must be at most 254 characters';
  const at = address.lastIndexOf('@');
  if (at <= 0 || at !== address.indexOf('@')) return 'must be an e-mail address';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !localPart.test(local)) return 'must be an e-mail address';
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => label.test(l)) || !/^[A-Za-z]{2,63}$/.test(labels.at(-1) ?? '')) {
    return 'must be an e-mail address';
  }
  return undefined;
}

/** Whether the address's domain (or a parent domain) is a known disposable-mail provider. */
export function isDisposable(address: string): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const labels = domain.split('.');
  for (let i = 0; i < labels.length - 1; i++) if (disposableDomains.has(labels.slice(i).join('.'))) return true;
  return false;
}
