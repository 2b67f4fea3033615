/** Token shapes that are secrets wherever they appear (after gitleaks-style detectors). */
const secretPatterns: Array<[string, RegExp]> = [
  ["private-key", /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g],
  ["aws-key", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g],
  ["github-token", /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g],
  ["slack-token", /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g],
  ["api-key", /\b(sk-(proj-|ant-)?[A-Za-z0-9_-]{20,}|sk_live_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35})\b/g],
  ["jwt", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
  ["url-password", /(?<=[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+(?=@)/gi],
  ["bearer", /(?<=\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/g],
  ["password-option", /(?<=--?(password|passwd|token|secret|api-key)[= ])[^\s'"]+/gi],
  ["assignment", /(?<=\b[A-Z0-9_]*(SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY)[A-Z0-9_]*=)[^\s'";&|]+/g],
];

/** Names of variables whose values are secrets. */
const secretName = /(SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL|AUTH)/i;

/**
 * Removes secrets from text before it is logged: first the values of secret-looking variables of this
 * process (exact matches are reliable), then token patterns. Replacements say what kind of secret was there.
 */
export class SecretRedactor {
  private readonly values: string[];

  constructor(env: Readonly<Record<string, string | undefined>> = process.env, extra: readonly string[] = []) {
    const fromEnv = Object.entries(env)
      .filter(([name, value]) => value !== undefined && value.length >= 8 && secretName.test(name))
      .map(([, value]) => value as string);
    // Longest first, so a secret containing another is replaced whole.
    this.values = [...new Set([...fromEnv, ...extra.filter((value) => value.length >= 4)])].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let result = text;
    for (const value of this.values) if (result.includes(value)) result = result.split(value).join("[REDACTED:known-secret]");
    for (const [kind, pattern] of secretPatterns) result = result.replace(pattern, `[REDACTED:${kind}]`);
    return result;
  }
}
