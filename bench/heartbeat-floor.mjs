// The least any Node.js `heartbeat run` can do, for the start-up benchmark: spawn the job with
// its output piped (as `run` keeps the tail), send `start` while it runs, wait for it to end
// and for that answer, then send the exit status. No options, checks, retries, timeouts or
// output handling. `http` uses Node's own HTTP client; `net` writes HTTP/1.1 on a raw socket
// (what only a hand-written HTTP client could reach). Plain JavaScript: loading a .ts file
// would add Node's type stripping to the figure.
// Usage: node bench/heartbeat-floor.mjs http|net <ping URL> <run id> <command> [args...]
const [mode, pingUrl, rid, command, ...args] = process.argv.slice(2);
const { spawn } = process.getBuiltinModule('node:child_process');
const url = new URL(pingUrl);

/** @param {string} path */
function viaHttp(path) {
  const http = process.getBuiltinModule('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(path, url),
      { method: 'POST', headers: { 'content-length': '0' } },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** @param {string} path */
function viaSocket(path) {
  const net = process.getBuiltinModule('node:net');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    socket.on('error', reject);
    socket.end(
      `POST ${path} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`,
    );
    socket.resume();
    socket.on('end', resolve);
  });
}

const post = mode === 'net' ? viaSocket : viaHttp;
const child = spawn(command, args, {
  stdio: ['inherit', 'pipe', 'pipe'],
  detached: true,
});
child.stdout?.resume();
child.stderr?.resume();
const started = post(`${url.pathname}/start?rid=${rid}`);
child.on('exit', async (code) => {
  await started;
  await post(`${url.pathname}/${code ?? 1}?rid=${rid}`);
});
