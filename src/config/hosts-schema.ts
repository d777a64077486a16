// The `hosts:` section (DESIGN.md §9): other machines whose models mai may use, each one pool of
// its own. A key is named by the environment variable that holds it, never written in the file: a
// config file gets copied, committed and pasted into bug reports, and its errors quote values.

import * as z from 'zod';
import {TIERS} from '../domain.js';
import type {HostConfig} from './types.js';

const expected = (what: string) => ({error: `expected ${what}`});

const HOST_KEYS = ['name', 'kind', 'url', 'api_key_env', 'priority', 'limits', 'tls_verify'];
/** Keys a user may reach for to write a key in the file: each gets the reason it is refused. */
const SECRET_KEYS = ['api_key', 'apikey', 'key', 'token', 'password', 'secret', 'bearer'];

/** A variable name as shells write them (GPU_BOX_KEY); anything else is likely the key itself. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** What keys look like: a provider prefix, or a long run of letters and digits without underscores. */
const LOOKS_LIKE_A_KEY = /^(sk-|sk_|pk-|hf_|gsk_|xai-|ghp_|glpat-)|^[A-Za-z0-9+/=-]{24,}$/;

export const hostUrlWhat = 'an http:// or https:// URL (ws:// or wss:// for kind lmstudio)';
const hostName = z
  .string(expected('a host name'))
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, expected('a host name of letters, digits, ".", "_" or "-" (such as gpu-box)'))
  .refine((name) => name.toLowerCase() !== 'local', {message: '"local" is the machine mai runs on; give the host another name'});

const hostEntry = z
  .looseObject({
    name: hostName,
    kind: z.enum(['lmstudio', 'openai'], expected('one of lmstudio, openai')),
    url: z
      .string(expected(hostUrlWhat))
      .trim()
      .refine((text) => /^(https?|wss?):\/\/[^/\s]+/i.test(text) && URL.canParse(text), expected(hostUrlWhat)),
    // Never echoed back in an error: a value here that is not a variable name may be the key itself.
    api_key_env: z.string({error: 'api_key_env: must be the NAME of an environment variable (such as GPU_BOX_KEY)'}).optional(),
    priority: z.int(expected('an integer')).optional(),
    limits: z
      .strictObject(
        {max_tier: z.enum(TIERS, expected(`one of ${TIERS.join(', ')}`)).optional()},
        {error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown key; expected max_tier' : 'expected a mapping')},
      )
      .optional(),
    tls_verify: z.boolean(expected('true or false')).optional(),
  }, expected('a mapping'))
  .superRefine((host, ctx) => {
    for (const key of Object.keys(host)) {
      if (HOST_KEYS.includes(key)) continue;
      const message = SECRET_KEYS.includes(key.toLowerCase())
        ? 'a key is never written in the config file: put it in an environment variable and give its name as api_key_env'
        : `unknown key; expected one of ${HOST_KEYS.join(', ')}`;
      ctx.addIssue({code: 'custom', path: [key], message});
    }
    const env = host.api_key_env;
    if (env !== undefined && (!ENV_NAME.test(env) || LOOKS_LIKE_A_KEY.test(env))) {
      ctx.addIssue({
        code: 'custom',
        path: ['api_key_env'],
        message: 'must be the NAME of an environment variable (such as GPU_BOX_KEY), and this looks like a key itself: keep the key in the environment, not in the file',
      });
    }
    if (URL.canParse(host.url)) {
      const url = new URL(host.url);
      if (url.username || url.password) {
        ctx.addIssue({code: 'custom', path: ['url'], message: 'the URL holds a user name or password: keep secrets out of the file (api_key_env names the variable that holds the key)'});
      }
      if (host.kind === 'openai' && /^wss?:$/i.test(url.protocol)) {
        ctx.addIssue({code: 'custom', path: ['url'], message: 'an OpenAI-compatible host is reached over http:// or https://'});
      }
    }
  })
  .transform(
    (host): HostConfig => ({
      name: host.name,
      kind: host.kind,
      // @lmstudio/sdk takes only ws:// or wss:// with no trailing slash; LM Studio itself shows http://.
      url: host.kind === 'lmstudio' ? host.url.replace(/^http/i, 'ws').replace(/\/+$/, '') : host.url.replace(/\/+$/, ''),
      ...(host.api_key_env === undefined ? {} : {apiKeyEnv: host.api_key_env}),
      priority: host.priority ?? 0,
      limits: {...(host.limits?.max_tier ? {maxTier: host.limits.max_tier} : {})},
      tlsVerify: host.tls_verify ?? true,
    }),
  );

export const hosts = z.array(hostEntry, expected('a list of hosts')).superRefine((entries, ctx) => {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const id = entry.name.toLowerCase();
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else ctx.addIssue({code: 'custom', path: [index, 'name'], message: `duplicate host name "${entry.name}" (also hosts[${first}])`});
  });
});
