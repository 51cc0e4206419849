// Sign-in latency: one account, 40 sequential sign-ins over the JSON API, median and p90.
// Used to price synchronous=FULL (docs/ARCHITECTURE.md, "Operations").
//   GAZETTE_BIN=$PWD/build/gazette node bench/signin.mjs [label]
import { startServer } from '../tests/integration/server.mjs';

const srv = await startServer({ demo: false, args: ['--trust-proxy'] });
const tok = 'y'.repeat(43);
const h = (ip) => ({ 'content-type': 'application/json', 'x-csrf-token': tok, cookie: 'gz_csrf=' + tok, 'x-forwarded-for': ip });
try {
  const reg = await fetch(srv.url + '/api/v1/register', { method: 'POST', headers: h('10.0.0.1'),
    body: JSON.stringify({ email: 'a@example.com', username: 'alice', password: 'correct horse battery', agree: true }) });
  if (reg.status !== 200) throw new Error('register: ' + reg.status);
  const t = [];
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    const r = await fetch(srv.url + '/api/v1/login', { method: 'POST', headers: h('10.0.1.' + i),
      body: JSON.stringify({ login: 'alice', password: 'correct horse battery' }) });
    await r.text();
    if (r.status !== 200) throw new Error('sign-in: ' + r.status);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  console.log(`sign-in median ${t[20].toFixed(1)} ms, p90 ${t[36].toFixed(1)} ms ${process.argv[2] || ''}`);
} finally {
  await srv.stop();
}
