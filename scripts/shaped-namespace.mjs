// A network namespace whose `lo` carries TCP freely and UDP (the media) through one htb class whose
// rate can be changed mid-call: the recipe of ../shared/webrtc-testing.md, for the rate-limit test
// and the rate-limit screenshots, and for cutting the media path (path-cut.test.mjs). Needs root.
import { execFileSync, spawn } from 'node:child_process';

export const UNLIMITED = '10gbit';

export function sh(argv) {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Creates the namespace with `lo` up and UDP in its own class; returns why it cannot, or null. */
export function createShapedNamespace(name) {
  try {
    sh(['ip', 'netns', 'add', name]);
  } catch (error) {
    return `network namespaces cannot be created here (ip netns add: ${String(error.stderr || error.message).trim()})`;
  }
  try {
    const tc = (...args) => sh(['ip', 'netns', 'exec', name, 'tc', ...args]);
    sh(['ip', 'netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
    tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '10');
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', UNLIMITED);
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', UNLIMITED, 'ceil', UNLIMITED);
    // A 100-packet queue, as a home router might have: `lo`'s own 1000 would hold many seconds of media.
    tc('qdisc', 'add', 'dev', 'lo', 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', '100');
    tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'protocol', '17', '0xff', 'flowid', '1:20');
    tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ipv6', 'prio', '2', 'u32', 'match', 'ip6', 'protocol', '17', '0xff', 'flowid', '1:20');
    return null;
  } catch (error) {
    sh(['ip', 'netns', 'del', name]);
    return `tc htb does not work in a namespace here: ${String(error.stderr || error.message).trim()}`;
  }
}

/** From inside the namespace: the rate of all UDP on `lo`. */
export function setUdpRate(rate) {
  sh(['tc', 'class', 'change', 'dev', 'lo', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', rate, 'ceil', rate]);
}

/** From inside the namespace: every UDP packet on `lo` dropped (a queue of 0), or the queue of 100 back. */
export function setUdpCut(cut) {
  sh(['tc', 'qdisc', 'replace', 'dev', 'lo', 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', cut ? '0' : '100']);
}

export function deleteNamespace(name) {
  sh(['ip', 'netns', 'del', name]);
}

/**
 * Runs `file` again as a child inside a new shaped namespace `name` (MESHCALL_NETNS names it there),
 * its output passed on; resolves with its exit code and output. The namespace goes afterwards.
 * Resolves with `{ skipped: reason }` where namespaces cannot be made here.
 */
export async function runInShapedNamespace(name, file) {
  const reason = createShapedNamespace(name);
  if (reason) return { skipped: reason };
  try {
    // Inside, only its `lo` exists.
    const child = spawn('ip', ['netns', 'exec', name, process.execPath, file], {
      env: { ...process.env, MESHCALL_NETNS: name },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    return { code, output };
  } finally {
    deleteNamespace(name);
  }
}
