/**
 * A ZPL II structure reader for tests: splits a print job into labels (`^XA` ... `^XZ`), each into
 * commands, groups the commands between `^FO` and `^FS` into fields and decodes their `^FH` escapes.
 * It refuses what a printer would misread: text outside a label, an unknown command (which is what a raw
 * `^` in field data turns into), a field without `^FS`.
 */

export interface ZplCommand {
  readonly code: string;
  readonly params: string;
}

export interface ZplField {
  readonly commands: readonly ZplCommand[];
  /** `^FD` data with `^FH` escapes decoded, as UTF-8. */
  readonly data: string;
  readonly origin: { readonly x: number; readonly y: number };
  readonly command: (code: string) => ZplCommand | undefined;
}

export interface ZplLabel {
  readonly commands: readonly ZplCommand[];
  readonly fields: readonly ZplField[];
  readonly setting: (code: string) => string | undefined;
}

/** Commands the label renderer may use; `A0` is font 0 of `^A`. */
const known = new Set(['XA', 'XZ', 'CI', 'PW', 'LL', 'LH', 'FO', 'A0', 'FB', 'FH', 'FD', 'FS', 'GB', 'BY', 'BC', 'PQ']);

function tokenize(text: string): ZplCommand[] {
  const commands: ZplCommand[] = [];
  let i = text.search(/[\^~]/);
  if (i < 0 || text.slice(0, i).trim() !== '') throw new Error('text before the first command');
  while (i < text.length) {
    const code = text.slice(i + 1, i + 3).toUpperCase();
    let end = i + 3;
    while (end < text.length && text[end] !== '^' && text[end] !== '~') end += 1;
    const params = text.slice(i + 3, end);
    if (!known.has(code)) throw new Error(`unknown command ^${code} (a raw ^ or ~ in field data?)`);
    commands.push({ code, params: code === 'FD' ? params : params.trim() });
    i = end;
  }
  return commands;
}

const decodeHex = (data: string): string => {
  const bytes: number[] = [];
  for (let i = 0; i < data.length; ) {
    if (data[i] === '_') {
      const hex = data.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`bad ^FH escape _${hex}`);
      bytes.push(Number.parseInt(hex, 16));
      i += 3;
    } else {
      const code = data.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(code);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
};

function toFields(commands: readonly ZplCommand[]): ZplField[] {
  const fields: ZplField[] = [];
  let current: ZplCommand[] | undefined;
  for (const command of commands) {
    if (command.code === 'FO') {
      if (current !== undefined) throw new Error('^FO inside an open field');
      current = [command];
    } else if (command.code === 'FS') {
      if (current === undefined) throw new Error('^FS without ^FO');
      const parts = current;
      const fd = parts.filter((c) => c.code === 'FD');
      if (fd.length > 1) throw new Error('two ^FD in one field');
      const raw = fd[0]?.params ?? '';
      const hasFh = parts.some((c) => c.code === 'FH');
      if (!hasFh && /[_]/.test(raw)) throw new Error('an unescaped field with _ but no ^FH');
      const [x, y] = (parts[0]?.params ?? '').split(',').map(Number);
      fields.push({
        commands: parts,
        data: hasFh ? decodeHex(raw) : raw,
        origin: { x: x ?? Number.NaN, y: y ?? Number.NaN },
        command: (code) => parts.find((c) => c.code === code),
      });
      current = undefined;
    } else if (current !== undefined) current.push(command);
    else if (['FD', 'FH', 'A0', 'FB', 'BC'].includes(command.code)) throw new Error(`^${command.code} outside a field`);
  }
  if (current !== undefined) throw new Error('a field without ^FS');
  return fields;
}

export function parseZpl(text: string): ZplLabel[] {
  const labels: ZplLabel[] = [];
  let open: ZplCommand[] | undefined;
  for (const command of tokenize(text)) {
    if (command.code === 'XA') {
      if (open !== undefined) throw new Error('^XA inside a label');
      open = [];
    } else if (command.code === 'XZ') {
      if (open === undefined) throw new Error('^XZ without ^XA');
      const commands = open;
      labels.push({ commands, fields: toFields(commands), setting: (code) => commands.find((c) => c.code === code)?.params });
      open = undefined;
    } else if (open === undefined) throw new Error(`^${command.code} outside ^XA ... ^XZ`);
    else open.push(command);
  }
  if (open !== undefined) throw new Error('a label without ^XZ');
  return labels;
}
