/**
 * The real shop for the browser tests: a fresh database, the four services as built binaries,
 * the demo shop seeded through their APIs, and Debian's nginx with the project's own config
 * (deploy/nginx) serving web/dist in front of them, all on free ports of 127.0.0.1.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../../..');
export const WEB = resolve(REPO, 'web');
const BIN = resolve(process.env.CARGO_TARGET_DIR ?? join(REPO, 'target'), 'debug');

export interface Stack {
  baseURL: string;
  password: string;
  logins: Record<'owner' | 'advisor' | 'mechanic' | 'cashier' | 'auditor', string>;
  databaseUrl: string;
  authUrl: string;
  commandUrl: string;
  queryUrl: string;
}

export interface Running {
  stack: Stack;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitFor(url: string, what: string, logs: string[], seconds = 90): Promise<void> {
  const until = Date.now() + seconds * 1000;
  let last = '';
  while (Date.now() < until) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const tails = logs.map((file) => `--- ${file}\n${tail(file)}`).join('\n');
  throw new Error(`${what} did not answer on ${url} within ${seconds} s (${last})\n${tails}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts the whole shop; `stop` ends every process and drops the database. */
export async function startStack(): Promise<Running> {
  for (const binary of [
    'motorlog-migrate',
    'motorlog-auth',
    'motorlog-command-api',
    'motorlog-projector',
    'motorlog-query-api',
  ]) {
    if (!existsSync(join(BIN, binary))) {
      throw new Error(`${join(BIN, binary)} is missing: run \`cargo build --bins\` first (make web-e2e does)`);
    }
  }
  if (!existsSync(join(WEB, 'dist', 'index.html'))) {
    throw new Error('web/dist is missing: run `npm run build` in web/ first (make web-e2e does)');
  }
  const server = process.env.E2E_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
  const database = `motorlog_e2e_${process.pid}_${Date.now().toString(36)}`;
  const databaseUrl = `${server}/${database}`;
  execFileSync('psql', [`${server}/postgres`, '-qc', `CREATE DATABASE "${database}"`], { stdio: 'inherit' });
  // Migrations are their own step, as the owner; each service then logs in as its own role (trusted
  // on 127.0.0.1, so without a password), as `make run` and a deployment start them.
  execFileSync(join(BIN, 'motorlog-migrate'), {
    env: { ...process.env, MIGRATE_DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const roleUrl = (role: string) => `${server.replace(/\/\/([^@/]*@)?/, `//${role}@`)}/${database}`;

  const dir = mkdtempSync(join(tmpdir(), 'motorlog-e2e-'));
  const [auth, command, query, projector, edge, files] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  // Photos and scans: s3s-fs over a folder of this run (a bucket is a directory), reached by the
  // browser through nginx at the edge's own address, for which the APIs presign.
  const s3sFs = [process.env.S3S_FS, join(process.env.HOME ?? '', '.cargo', 'bin', 's3s-fs'), '/usr/local/bin/s3s-fs'].find(
    (path) => path !== undefined && path !== '' && existsSync(path),
  );
  const bucket = 'motorlog-files';
  const s3Secret = randomBytes(18).toString('base64url');
  const password = `e2e-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AUTH_DATABASE_URL: roleUrl('motorlog_auth'),
    COMMAND_API_DATABASE_URL: roleUrl('motorlog_command'),
    PROJECTOR_DATABASE_URL: roleUrl('motorlog_projector'),
    QUERY_API_DATABASE_URL: roleUrl('motorlog_query'),
    AUTH_LISTEN: `127.0.0.1:${auth}`,
    COMMAND_API_LISTEN: `127.0.0.1:${command}`,
    QUERY_API_LISTEN: `127.0.0.1:${query}`,
    PROJECTOR_LISTEN: `127.0.0.1:${projector}`,
    AUTH_URL: `http://127.0.0.1:${auth}`,
    COMMAND_API_URL: `http://127.0.0.1:${command}`,
    QUERY_API_URL: `http://127.0.0.1:${query}`,
    MOTORLOG_OWNER_EMAIL: 'owner@motor.demo',
    MOTORLOG_OWNER_NAME: 'Смирнова Анна Викторовна',
    MOTORLOG_OWNER_PASSWORD: password,
    MOTORLOG_DEMO_PASSWORD: password,
    // nginx forwards each browser's address; only it is believed. Redis keys of this run's own.
    AUTH_TRUSTED_PROXIES: '127.0.0.1,::1',
    MOTORLOG_REDIS_PREFIX: `motorlog-e2e:${database}:`,
    // Personal data is sealed in the log: one master key for this run, shared by every service.
    MOTORLOG_MASTER_KEY: `e2e:${randomBytes(32).toString('base64')}`,
    MOTORLOG_MASTER_KEYS_FILE: '',
    // The approval link a message carries points at this run's nginx.
    MOTORLOG_PUBLIC_URL: `http://127.0.0.1:${edge}`,
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
    ...(s3sFs
      ? {
          S3_ENDPOINT: `http://127.0.0.1:${files}`,
          S3_PUBLIC_ENDPOINT: `http://127.0.0.1:${edge}`,
          S3_BUCKET: bucket,
          S3_ACCESS_KEY: 'motorlog-e2e',
          S3_SECRET_KEY: s3Secret,
        }
      : {}),
  };
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const start = (name: string, file: string, args: string[] = [], extra: NodeJS.ProcessEnv = {}) => {
    const log = join(dir, `${name}.log`);
    logs.push(log);
    const out = openSync(log, 'a');
    const child = spawn(file, args, { env: { ...env, ...extra }, stdio: ['ignore', out, out] });
    children.push(child);
    return child;
  };

  const stop = async () => {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    try {
      execFileSync('psql', [`${server}/postgres`, '-qc', `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`]);
    } catch {
      // A database left behind is named for this run and harms nothing.
    }
    if (!process.env.E2E_KEEP_LOGS) rmSync(dir, { recursive: true, force: true });
  };

  try {
    if (s3sFs) {
      mkdirSync(join(dir, 'files', bucket), { recursive: true });
      start('s3s-fs', s3sFs, [
        '--host', '127.0.0.1', '--port', String(files),
        '--access-key', 'motorlog-e2e', '--secret-key', s3Secret,
        join(dir, 'files'),
      ]);
    }
    // The auth service creates the first owner; the others start once it answers.
    start('auth', join(BIN, 'motorlog-auth'), ['serve']);
    await waitFor(`${env.AUTH_URL}/health`, 'the auth service', logs);
    start('command-api', join(BIN, 'motorlog-command-api'));
    start('projector', join(BIN, 'motorlog-projector'));
    start('query-api', join(BIN, 'motorlog-query-api'));
    await waitFor(`${env.COMMAND_API_URL}/health`, 'the command API', logs);
    await waitFor(`http://127.0.0.1:${projector}/health`, 'the projectors', logs);
    await waitFor(`${env.QUERY_API_URL}/health`, 'the query API', logs);
    execFileSync(join(BIN, 'examples', 'seed_demo'), { env, stdio: ['ignore', 'ignore', 'inherit'] });
    start('nginx', join(REPO, 'deploy', 'nginx', 'render.sh'), [join(dir, 'nginx'), '--run'], {
      LISTEN: `127.0.0.1:${edge}`,
      SERVER_NAME: '127.0.0.1',
      WEB_ROOT: join(WEB, 'dist'),
      AUTH_UPSTREAM: `127.0.0.1:${auth}`,
      COMMAND_UPSTREAM: `127.0.0.1:${command}`,
      QUERY_UPSTREAM: `127.0.0.1:${query}`,
      FILES_UPSTREAM: `127.0.0.1:${files}`,
      FILES_BUCKET: bucket,
    });
    logs.push(join(dir, 'nginx', 'logs', 'error.log'));
    await waitFor(`http://127.0.0.1:${edge}/index.html`, 'nginx', logs, 30);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    stack: {
      baseURL: `http://127.0.0.1:${edge}`,
      password,
      logins: {
        owner: 'owner@motor.demo',
        advisor: 'advisor@motor.demo',
        mechanic: 'mechanic@motor.demo',
        cashier: 'cashier@motor.demo',
        auditor: 'auditor@motor.demo',
      },
      databaseUrl,
      authUrl: env.AUTH_URL ?? '',
      commandUrl: env.COMMAND_API_URL ?? '',
      queryUrl: env.QUERY_API_URL ?? '',
    },
    stop,
  };
}
