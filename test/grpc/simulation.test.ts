import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { connect, type TapewatchClient } from '../../src/grpc/client';
import { type GrpcServerHandle, startGrpcServer } from '../../src/grpc/server';
import { TapewatchApp } from '../../src/service/app';
import { TokenAuthenticator } from '../../src/service/auth';
import { SimulationService } from '../../src/service/simulation-service';
import { Simulator } from '../../src/simulator/index';

const TOKENS = [
  { token: 'viewer-token-0123456789', role: 'viewer' as const, name: 'vera' },
  { token: 'admin-token-0123456789', role: 'admin' as const, name: 'adam' },
];

describe('gRPC simulation control', () => {
  let app: TapewatchApp;
  let sim: SimulationService;
  let server: GrpcServerHandle;
  let bare: GrpcServerHandle;
  let admin: TapewatchClient;
  let viewer: TapewatchClient;

  beforeAll(async () => {
    const engine = createEngine();
    app = new TapewatchApp({ engine });
    sim = new SimulationService(app, new Simulator({ seed: 11 }), engine);
    const auth = new TokenAuthenticator(TOKENS);
    server = await startGrpcServer({ app, auth, port: 0, simulation: sim });
    bare = await startGrpcServer({ app: new TapewatchApp({ engine: createEngine() }), auth, port: 0 });
    admin = connect(`127.0.0.1:${server.port}`, { token: 'admin-token-0123456789' });
    viewer = connect(`127.0.0.1:${server.port}`, { token: 'viewer-token-0123456789' });
  });
  afterAll(async () => {
    sim.stop();
    admin.close();
    viewer.close();
    app.close();
    await Promise.all([server.close(), bare.close()]);
  });

  it('injects a scenario and reports the episode and the simulator in Status', async () => {
    const episode = await admin.injectScenario('spoofing', { durationS: 20, intensity: 2 });
    expect(episode).toMatchObject({ scenario: 'spoofing', typology: 'spoofing' });
    expect(episode.episodeId).toMatch(/^spoofing-/);
    expect(episode.accounts.length).toBeGreaterThan(0);
    const status = await viewer.status();
    expect(status.simulation?.episodes.map((e) => e.episodeId)).toEqual([episode.episodeId]);
    expect(status.simulation?.state).toBe('idle');
  });

  it('plays, pauses and resets the whole pipeline', async () => {
    await admin.play(200);
    for (let i = 0; i < 100 && (await admin.status()).events === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    const paused = await admin.pause();
    expect(paused.state).toBe('paused');
    expect(Number(paused.events)).toBeGreaterThan(0);
    expect((await admin.status()).events).toBeGreaterThan(0);
    await admin.reset();
    const after = await admin.status();
    expect(after.events).toBe(0);
    expect(after.simulation?.episodes).toEqual([]);
  });

  it('answers bad requests with INVALID_ARGUMENT naming the problem', async () => {
    await expect(admin.injectScenario('moon_landing')).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/unknown scenario 'moon_landing'/),
    });
    await expect(admin.injectScenario('spoofing', { durationS: -1 })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/durationS/),
    });
    await expect(admin.play(-3)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it('refuses viewers, and answers FAILED_PRECONDITION on a server without a simulator', async () => {
    await expect(viewer.injectScenario('spoofing')).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
    await expect(viewer.reset()).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    const noSim = connect(`127.0.0.1:${bare.port}`, { token: 'admin-token-0123456789' });
    await expect(noSim.injectScenario('spoofing')).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringMatching(/no simulator/),
    });
    expect((await noSim.status()).simulation).toBeUndefined();
    noSim.close();
  });
});
