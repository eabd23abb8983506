import type { ShippingAddress } from '../carrier.js';

/**
 * Text helpers for the documents. The PDFs use the 14 standard PDF fonts (no font file to ship, tiny
 * files), which cover the Windows-1252 (WinAnsi) repertoire: Latin scripts with their accents. Other
 * characters are first stripped of accents and otherwise replaced by `?`, so a document never shows
 * the wrong glyph silently. Non-Latin scripts need an embedded font: see the report in issue 3.
 */

const winAnsiExtras = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Latin letters whose accent is part of the letter, so Unicode decomposition cannot strip it. */
const latinBaseLetters: Readonly<Record<string, string>> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  Ŧ: 'T',
  ŧ: 't',
  Ŀ: 'L',
  ŀ: 'l',
};

const isWinAnsi = (char: string): boolean => {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || winAnsiExtras.has(char);
};

/** Text the standard PDF fonts can draw: control characters become spaces, others their base letter or `?`. */
export function toWinAnsi(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    if (isWinAnsi(char)) out += char;
    else if ((char.codePointAt(0) ?? 0) < 0x20) out += ' ';
    else if (latinBaseLetters[char] !== undefined) out += latinBaseLetters[char];
    else {
      const base = char.normalize('NFD').replace(/\p{M}/gu, '');
      out += [...base].every(isWinAnsi) && base !== '' ? base : '?';
    }
  }
  return out;
}

/** `1.25 kg (2.76 lb)`: both units, for carriers on either system. */
export function formatWeight(weightG: number): string {
  const kg = (weightG / 1000).toFixed(2);
  const lb = (weightG / 453.59237).toFixed(2);
  return `${kg} kg (${lb} lb)`;
}

/** The lines of an address block, as a carrier expects them printed. */
export function addressLines(address: ShippingAddress): string[] {
  const lines = [address.name];
  if (address.company) lines.push(address.company);
  lines.push(address.line1);
  if (address.line2) lines.push(address.line2);
  const cityLine = [address.city, address.region, address.postalCode].filter((part) => part !== undefined && part !== '').join(' ');
  lines.push(cityLine, address.country);
  return lines;
}
