// Start the real gazette binary on loopback with a temporary data folder.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';

export const BIN = process.env.GAZETTE_BIN || resolve('build/gazette');

export async function startServer({ demo = true, args = [], dataDir } = {}) {
  const dir = dataDir || mkdtempSync(join(tmpdir(), 'gz-it-'));
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data', dir,
    ...(demo ? [] : ['--no-demo']), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error('server did not start: ' + stderr)), 60000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); rej(new Error(`server exited ${code}: ${stderr}`)); });
  });
  return {
    url, dir, proc,
    stderr: () => stderr,
    async stop({ keep = false } = {}) {
      if (proc.exitCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await done;
      }
      if (!keep && !dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function gazette(args, opts = {}) {
  return spawnSync(BIN, args, { encoding: 'utf8', ...opts });
}

// Send raw bytes and collect the whole reply until the server closes (or timeout).
export function raw(url, bytes, timeoutMs = 3000) {
  const u = new URL(url);
  return new Promise((resolveP) => {
    const sock = net.connect(Number(u.port), u.hostname);
    let data = '';
    let closed = false;
    const timer = setTimeout(() => { sock.destroy(); resolveP({ data, closed }); }, timeoutMs);
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('end', () => { closed = true; });
    sock.on('close', () => { clearTimeout(timer); closed = true; resolveP({ data, closed }); });
    sock.on('error', () => {});
    sock.write(bytes);
  });
}
