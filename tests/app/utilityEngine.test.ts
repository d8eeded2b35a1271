// The Electron binary is not installed here, so utilityProcess itself cannot run: a Node
// EventEmitter with UtilityProcess's surface (events 'message', 'error', 'exit'; postMessage;
// kill) stands in for it, and the real EngineHost runs on top of the adapter.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../src-main/api/contract';
import { engineFromUtility, type UtilityChild } from '../../src-main/app/utilityEngine';
import { EngineHost } from '../../src-main/engine/host';
import type { EngineIn, EngineOut } from '../../src-main/engine/protocol';

class StandInUtility extends EventEmitter {
  readonly posted: EngineIn[] = [];
  kills = 0;
  constructor(readonly pid: number | undefined) {
    super();
  }
  postMessage(m: EngineIn): void {
    this.posted.push(m);
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
  /** What Electron does when the child dies: 'exit' with its code. */
  die(code: number): void {
    this.emit('exit', code);
  }
  reply(m: EngineOut): void {
    this.emit('message', m);
  }
}

describe('engine in a utilityProcess (adapter)', () => {
  it('passes messages both ways and reports the exit code', () => {
    const child = new StandInUtility(42);
    const proc = engineFromUtility(child satisfies UtilityChild);
    const got: EngineOut[] = [];
    const exits: string[] = [];
    proc.onMessage((m) => got.push(m));
    proc.onExit((r) => exits.push(r));
    expect(proc.pid).toBe(42);
    proc.send({ type: 'shutdown' });
    child.reply({ type: 'ready', pid: 42, interrupted: [] });
    expect(child.posted).toEqual([{ type: 'shutdown' }]);
    expect(got).toEqual([{ type: 'ready', pid: 42, interrupted: [] }]);
    child.die(3);
    expect(exits).toEqual(['exit code 3']);
    // Gone: nothing more is posted to it and it is not killed again.
    proc.send({ type: 'shutdown' });
    proc.kill();
    expect(child.posted).toHaveLength(1);
    expect(child.kills).toBe(0);
  });

  it("listens to 'error' (an unheard one would throw in the main process) and names it in the exit reason", () => {
    const child = new StandInUtility(7);
    const proc = engineFromUtility(child);
    const exits: string[] = [];
    proc.onExit((r) => exits.push(r));
    expect(() => child.emit('error', 'FatalError', 'v8::HeapLimit', '{}')).not.toThrow();
    child.die(134);
    expect(exits).toEqual(['FatalError at v8::HeapLimit, exit code 134']);
    // Without the adapter the same event throws: the listener is what keeps the app up.
    expect(() => new StandInUtility(8).emit('error', 'FatalError', 'x', '{}')).toThrow();
  });

  it('EngineHost restarts an engine whose utility process died of a fatal error, and says why', async () => {
    const children: StandInUtility[] = [];
    const host = new EngineHost({
      workspaceDir: '/nonexistent-not-opened-by-a-stand-in',
      spawn: () => {
        const child = new StandInUtility(100 + children.length);
        children.push(child);
        setImmediate(() => child.reply({ type: 'ready', pid: child.pid!, interrupted: [] }));
        return engineFromUtility(child);
      },
    });
    const statuses: EngineStatus[] = [];
    host.onEvents((batch) => {
      for (const e of batch) if (e.event === 'engine.status') statuses.push(e.payload as EngineStatus);
    });
    await host.start();
    children[0]!.emit('error', 'FatalError', 'OOM in Heap::AllocateRaw', '');
    children[0]!.die(133);
    await host.whenReady(5000);
    expect(children).toHaveLength(2);
    expect(statuses.map((s) => s.state)).toEqual(['ready', 'restarting', 'ready']);
    expect(statuses[1]!.reason).toContain('FatalError at OOM in Heap::AllocateRaw, exit code 133');
    expect(host.engineStatus).toMatchObject({ state: 'ready', pid: 101 });
    const stopping = host.stop(1000);
    children[1]!.die(0);
    await stopping;
    expect(children[1]!.posted.at(-1)).toEqual({ type: 'shutdown' });
  });
});
