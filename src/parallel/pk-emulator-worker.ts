/**
 * Worker that runs the Boltzmann solver (or, for pipeline checks, the stand-in) at blocks of design
 * points and returns, per point, the emulator's target y(k) = ln(P_solver / P_ref) on the emulator grid
 * (k_i = exp(x_i) / r_s) followed by sigma8 at A_s = 2e-9 (row of nk + 1 values).
 */

import { parentPort, workerData } from 'node:worker_threads';
import { LINKED_SOLVER } from '../cosmology/boltzmann/solver-link.js';
import { standInSolver } from '../cosmology/boltzmann/standin.js';
import type { NamedSolver } from '../cosmology/boltzmann/solver-api.js';
import { gridWavenumbers, lnRatioTarget, PK_EMULATOR_FIXED, PK_EMULATOR_GRID, type DesignPoint } from '../data/pk-emulator-fit.js';
import { Background } from '../cosmology/background.js';
import { cosmology } from '../cosmology/params.js';
import { LinearPower } from '../cosmology/power/linear.js';
import { boltzmannShape } from '../cosmology/transfer/boltzmann.js';
import { CosmetaError } from '../errors.js';
import { serveWorker } from './pool.js';

export interface PkEmulatorWorkerInit {
  standIn: boolean;
}

export interface PkEmulatorTask {
  points: DesignPoint[];
  label: string;
}

/** The solver a training run uses. */
export function trainingSolver(standIn: boolean): NamedSolver {
  if (standIn) return standInSolver;
  if (!LINKED_SOLVER) throw new CosmetaError('the Boltzmann solver is not part of this build; only --stand-in runs are possible');
  return LINKED_SOLVER;
}

/**
 * Solve a block: rows [points x (nk + 1)]. The solver runs once per cosmology on the `boltzmann` model's
 * 240 wavenumbers (BOLTZMANN_K), interpolated onto the emulator's grid through ln(P / P_EH,nw) exactly as
 * the `boltzmann` model does (a third of the modes the 700-point grid would need); sigma8 is Cosmeta's
 * integral over that same spectrum at A_s = 2e-9, so the emulator is checked against what `boltzmann` gives.
 */
export function solveBlock(solver: NamedSolver, task: PkEmulatorTask): Float64Array {
  const nk = PK_EMULATOR_GRID.nk;
  const out = new Float64Array(task.points.length * (nk + 1));
  const shape = boltzmannShape(solver);
  task.points.forEach((p, i) => {
    const c = cosmology({ ...p, A_s: 2e-9, ...PK_EMULATOR_FIXED });
    const f = shape.prepare(c);
    const k = gridWavenumbers(p);
    const y = lnRatioTarget(p, { k, pk: [Float64Array.from(k, (q) => 2e-9 * f(q))], A_s: 2e-9 });
    for (let j = 0; j < nk; j++) {
      if (!Number.isFinite(y[j])) throw new CosmetaError(`${task.label}: the solver gave a non-finite P at k=${k[j]}/Mpc for ${JSON.stringify(p)}`);
    }
    out.set(y, i * (nk + 1));
    const lin = new LinearPower(new Background(c, 0.01), { name: shape.name, absolute: true, prepare: () => f });
    out[i * (nk + 1) + nk] = lin.sigma8;
  });
  return out;
}

if (parentPort) {
  const init = workerData as PkEmulatorWorkerInit;
  const solver = trainingSolver(init.standIn);
  serveWorker<PkEmulatorTask, Float64Array>(parentPort, (task) => solveBlock(solver, task));
}
