/**
 * user_data as cloud-init reads it, turned into the one shell script a server runs at first boot:
 * a `#!` script as is, `#cloud-config` (the keys below) and MIME multipart translated, the rest
 * refused with a reason. Pure: the compute driver writes the result into the server.
 */
import { parse } from 'yaml';
import { StokeError } from '../../errors';

export class UserDataError extends StokeError {
  constructor(message: string) {
    super('UserDataInvalid', message);
  }
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** cloud-config keys this translation performs; any other key is refused rather than ignored. */
const CLOUD_CONFIG_KEYS = ['write_files', 'bootcmd', 'runcmd', 'packages', 'package_update', 'package_upgrade', 'final_message'];

function command(item: unknown, where: string): string {
  if (typeof item === 'string') return item;
  if (Array.isArray(item)) return item.map((arg) => quote(String(arg))).join(' ');
  throw new UserDataError(`${where}: a command must be a string or a list of arguments`);
}

/** A #cloud-config document as shell steps, in cloud-init's order: bootcmd, write_files, packages, runcmd. */
export function cloudConfigScript(text: string): string {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UserDataError(`#cloud-config is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return '';
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UserDataError('#cloud-config must be a mapping');
  const config = doc as Record<string, unknown>;
  const unsupported = Object.keys(config).filter((key) => !CLOUD_CONFIG_KEYS.includes(key));
  if (unsupported.length > 0) {
    throw new UserDataError(`#cloud-config keys not supported on stoke's servers: ${unsupported.join(', ')} (supported: ${CLOUD_CONFIG_KEYS.join(', ')})`);
  }
  const lines: string[] = [];
  const list = (key: string) => {
    const value = config[key] ?? [];
    if (!Array.isArray(value)) throw new UserDataError(`#cloud-config ${key} must be a list`);
    return value as unknown[];
  };
  list('bootcmd').forEach((item, i) => lines.push(command(item, `bootcmd[${i}]`)));
  list('write_files').forEach((item, i) => {
    const file = item as { path?: unknown; content?: unknown; permissions?: unknown; encoding?: unknown; owner?: unknown; append?: unknown };
    if (!file || typeof file.path !== 'string') throw new UserDataError(`write_files[${i}] needs a path`);
    const encoding = String(file.encoding ?? 'text');
    const content = String(file.content ?? '');
    const data = ['b64', 'base64'].includes(encoding) ? content.replace(/\s/g, '') : Buffer.from(content).toString('base64');
    if (!['text', 'b64', 'base64'].includes(encoding)) throw new UserDataError(`write_files[${i}]: encoding '${encoding}' is not supported (text, b64)`);
    lines.push(`mkdir -p "$(dirname ${quote(file.path)})"`);
    lines.push(`echo ${quote(data)} | base64 -d ${file.append === true ? '>>' : '>'} ${quote(file.path)}`);
    if (file.permissions !== undefined) lines.push(`chmod ${quote(String(file.permissions))} ${quote(file.path)}`);
    if (typeof file.owner === 'string') lines.push(`chown ${quote(file.owner)} ${quote(file.path)}`);
  });
  const packages = list('packages').map((p) => (Array.isArray(p) ? p.join('-') : String(p)));
  if (packages.length > 0) lines.push(`yum -y install ${packages.map(quote).join(' ')}`);
  list('runcmd').forEach((item, i) => lines.push(command(item, `runcmd[${i}]`)));
  if (typeof config.final_message === 'string') lines.push(`echo ${quote(config.final_message)}`);
  return lines.join('\n');
}

interface MimePart {
  readonly type: string;
  readonly body: string;
}

/** Splits a MIME multipart document into its leaf parts (nested multiparts flattened), decoding base64. */
export function mimeParts(text: string): MimePart[] {
  const [head, ...rest] = text.replace(/\r\n/g, '\n').split(/\n\n/);
  const body = rest.join('\n\n');
  const headers = (head ?? '').replace(/\n[ \t]+/g, ' ');
  const type = /^content-type:\s*([^;\s]+)/im.exec(headers)?.[1]?.toLowerCase() ?? 'text/plain';
  if (!type.startsWith('multipart/')) {
    const base64 = /^content-transfer-encoding:\s*base64/im.test(headers);
    return [{ type, body: base64 ? Buffer.from(body, 'base64').toString('utf8') : body }];
  }
  const boundary = /boundary="?([^";\n]+)"?/i.exec(headers)?.[1];
  if (!boundary) throw new UserDataError('MIME multipart user_data without a boundary');
  const sections = body.split(`--${boundary}`).slice(1);
  const parts: MimePart[] = [];
  for (const section of sections) {
    if (section.startsWith('--')) break;
    parts.push(...mimeParts(section.replace(/^\n/, '').replace(/\n$/, '')));
  }
  return parts;
}

function isMime(text: string): boolean {
  return /^(content-type|mime-version):/i.test(text.trimStart());
}

/** One part's shell steps, by its content type, or for text/plain by how its content starts, as cloud-init does. */
function partScript(part: MimePart, index: number): string {
  const marked = (): string => {
    const text = part.body;
    if (text.startsWith('#!') || text.startsWith('#cloud-boothook')) return `cat > /var/lib/cloud/instance/scripts/part-${index} <<'STOKE_PART_${index}'\n${text}\nSTOKE_PART_${index}\nchmod 700 /var/lib/cloud/instance/scripts/part-${index}\n/var/lib/cloud/instance/scripts/part-${index}`;
    if (text.startsWith('#cloud-config')) return cloudConfigScript(text);
    if (text.startsWith('#include')) throw new UserDataError('#include user_data fetches URLs, and stoke\'s servers reach no network beyond this machine: put the content in user_data instead');
    if (text.startsWith('#part-handler') || text.startsWith('#upstart-job')) throw new UserDataError(`user_data starting with '${text.split('\n')[0]}' is not supported (scripts, #cloud-config and MIME multipart are)`);
    return '';
  };
  switch (part.type) {
    case 'text/x-shellscript':
    case 'text/cloud-boothook':
      return marked() || `sh -c ${quote(part.body)}`;
    case 'text/cloud-config':
      return cloudConfigScript(part.body);
    case 'text/x-include-url':
      throw new UserDataError('#include user_data fetches URLs, and stoke\'s servers reach no network beyond this machine: put the content in user_data instead');
    case 'text/plain':
      return marked();
    default:
      // Heat's own parts for heat-cfntools (x-cfninitdata) serve tools these servers do not run.
      if (part.type.includes('cfninitdata')) return '';
      throw new UserDataError(`user_data part of type ${part.type} is not supported`);
  }
}

/** The script a server runs once at first boot ('' when there is nothing to run), or a UserDataError. */
export function bootScript(userData: string): string {
  if (userData.trim() === '') return '';
  if (userData.startsWith('#!')) return userData;
  const parts = isMime(userData) ? mimeParts(userData) : [{ type: 'text/plain', body: userData }];
  const steps = parts.map(partScript).filter(Boolean);
  if (steps.length === 0) return '';
  return `#!/bin/sh\nset -e\nmkdir -p /var/lib/cloud/instance/scripts\n${steps.join('\n')}\n`;
}

/** Heat's MultipartMime output: each part a text/SUBTYPE (default plain) MIME part, or the parts of a nested multipart. */
export function multipartMime(parts: readonly { config: string; type: 'text' | 'multipart'; subtype?: string; filename?: string }[], boundary: string): string {
  const out = [`Content-Type: multipart/mixed; boundary="${boundary}"`, 'MIME-Version: 1.0', ''];
  for (const part of parts) {
    const leaves = part.type === 'multipart' ? mimeParts(part.config) : [{ type: `text/${part.subtype || 'plain'}`, body: part.config }];
    for (const leaf of leaves) {
      out.push(`--${boundary}`, `Content-Type: ${leaf.type}; charset="utf-8"`, 'MIME-Version: 1.0', 'Content-Transfer-Encoding: base64');
      if (part.filename && part.type === 'text') out.push(`Content-Disposition: attachment; filename="${part.filename}"`);
      out.push('', Buffer.from(leaf.body).toString('base64'), '');
    }
  }
  out.push(`--${boundary}--`, '');
  return out.join('\n');
}

/**
 * cloud-init's ssh step, which runs before the user data: the key pair's public key appended to the
 * user's authorized_keys (the user made first if the image lacks it, as cloud-init makes its default
 * user), then the user data itself, exec'd so its output and exit status stay the boot's.
 */
export function withAuthorizedKey(script: string, user: string, publicKey: string): string {
  const lines = [
    '#!/bin/sh', 'set -e', `user=${quote(user)}`,
    'home_of() { while IFS=: read -r name _ _ _ _ dir _; do if [ "$name" = "$1" ]; then echo "$dir"; fi; done < /etc/passwd; }',
    'home=$(home_of "$user")',
    // Minimal images (busybox) have neither useradd nor adduser: the account is then written as useradd would.
    'make_user() {',
    '  useradd -m "$1" 2>/dev/null || adduser -D "$1" 2>/dev/null || {',
    '    id=1000; while grep -q "^[^:]*:[^:]*:$id:" /etc/passwd; do id=$((id + 1)); done',
    '    echo "$1:x:$id:$id::/home/$1:/bin/sh" >> /etc/passwd; echo "$1:x:$id:" >> /etc/group; mkdir -p "/home/$1"; chown "$id:$id" "/home/$1"',
    '  }',
    '}',
    '[ -n "$home" ] || { make_user "$user"; home=$(home_of "$user"); }',
    'mkdir -p "$home/.ssh"',
    `key=${quote(publicKey)}`,
    'grep -qxF "$key" "$home/.ssh/authorized_keys" 2>/dev/null || echo "$key" >> "$home/.ssh/authorized_keys"',
    'chmod 700 "$home/.ssh"', 'chmod 600 "$home/.ssh/authorized_keys"', 'chown -R "$user" "$home/.ssh"',
  ];
  if (script) {
    lines.push('mkdir -p /var/lib/cloud/instance/scripts', `echo ${quote(Buffer.from(script).toString('base64'))} | base64 -d > /var/lib/cloud/instance/scripts/user-data`,
      'chmod 700 /var/lib/cloud/instance/scripts/user-data', 'exec /var/lib/cloud/instance/scripts/user-data');
  }
  return `${lines.join('\n')}\n`;
}
