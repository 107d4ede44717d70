/**
 * Where the store lives: `--store DIR`, else $DECKHAND_STORE, else the OS's per-user app data
 * folder (`~/Library/Application Support/Deckhand/store` on macOS, `%APPDATA%\Deckhand\store` on
 * Windows, `$XDG_DATA_HOME/deckhand/store` or `~/.local/share/deckhand/store` on Linux).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultStoreDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Deckhand', 'store');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Deckhand', 'store');
  const data = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(home, '.local', 'share');
  return join(data, 'deckhand', 'store');
}

export function resolveStoreDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.DECKHAND_STORE) return resolve(env.DECKHAND_STORE);
  return defaultStoreDir(process.platform, env);
}
