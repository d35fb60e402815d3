// The Amazon side of a replay: host-example's own loopback SP-API sandbox
// (`host_example::sandbox::Sandbox`), run as `host-example sandbox --control`: one JSON command
// per stdin line, one JSON answer per stdout line. A replay adds orders between ticks, moves the
// clock every cron step, arms faults mid-scenario and may have two sellers; the control mode
// makes exactly the calls `host_example::app::Sim` makes, so both hosts talk to the very same
// simulator code.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { REPO } from './host.mjs';

export const TARGET_DIR = process.env.CARGO_TARGET_DIR ?? path.join(REPO, 'target');
export const BINARY = path.join(TARGET_DIR, 'debug', 'host-example');

/** Builds host-example (a no-op when it is up to date). */
export function buildSandbox({ quiet = true } = {}) {
  execFileSync('cargo', ['build', ...(quiet ? ['-q'] : []), '-p', 'host-example'], {
    cwd: REPO,
    env: { ...process.env, CARGO_TARGET_DIR: TARGET_DIR },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

export class SandboxProcess {
  static async start() {
    if (!existsSync(BINARY)) buildSandbox();
    const sb = new SandboxProcess();
    sb.child = spawn(BINARY, ['sandbox', '--control', '--port', '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
    sb.lines = readline.createInterface({ input: sb.child.stdout });
    sb.waiting = [];
    sb.lines.on('line', (l) => sb.waiting.shift()?.resolve(l));
    sb.child.on('exit', (c) => {
      for (const w of sb.waiting.splice(0)) w.reject(new Error(`host-example sandbox exited (${c})`));
    });
    const hello = JSON.parse(await sb.#next());
    sb.baseUrl = hello.base_url;
    sb.lwaUrl = hello.lwa_url;
    return sb;
  }

  #next() {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async cmd(c) {
    const answer = this.#next();
    this.child.stdin.write(`${JSON.stringify(c)}\n`);
    const r = JSON.parse(await answer);
    if ('error' in r) throw new Error(r.error);
    return r.ok;
  }

  addSeller(seller) {
    return this.cmd({ cmd: 'add_seller', seller });
  }
  upsertOrder(seller, order, items) {
    return this.cmd({ cmd: 'upsert_order', seller, order, items });
  }
  setNow(ms) {
    return this.cmd({ cmd: 'set_now', ms });
  }
  throttle(count, op, after) {
    return this.cmd({ cmd: 'throttle', count, op, after });
  }
  fail(count, op, after) {
    return this.cmd({ cmd: 'fail', count, op, after });
  }
  confirmations() {
    return this.cmd({ cmd: 'confirmations' });
  }
  requestLog() {
    return this.cmd({ cmd: 'log' });
  }

  stop() {
    this.child.removeAllListeners('exit');
    this.child.stdin.end();
    this.child.kill();
  }
}
