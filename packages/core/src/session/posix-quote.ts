/** One word for any POSIX shell: single quotes, with `'` written as `'\''`. */
export function posixQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}
