/**
 * Worker that runs the Boltzmann solver (or, for pipeline checks, the stand-in) at blocks of design
 * points and returns, per point, the emulator's target y(k) = ln(P_solver / P_ref) on the emulator grid
 * (k_i = exp(x_i) / r_s) followed by the solver's sigma8 at A_s = 2e-9 (row of nk + 1 values).
 */

import { parentPort, workerData } from 'node:worker_threads';
import { LINKED_SOLVER } from '../cosmology/boltzmann/solver-link.js';
import { standInSolver } from '../cosmology/boltzmann/standin.js';
import type { NamedSolver } from '../cosmology/boltzmann/solver-api.js';
import { gridWavenumbers, lnRatioTarget, PK_EMULATOR_FIXED, PK_EMULATOR_GRID, type DesignPoint } from '../data/pk-emulator-fit.js';
import { CosmetaError } from '../errors.js';
import { serveWorker } from './pool.js';

export interface BoltzmannWorkerInit {
  standIn: boolean;
}

export interface BoltzmannTask {
  points: DesignPoint[];
  label: string;
}

/** The solver a training run uses. */
export function trainingSolver(standIn: boolean): NamedSolver {
  if (standIn) return standInSolver;
  if (!LINKED_SOLVER) throw new CosmetaError('the Boltzmann solver is not part of this build; only --stand-in runs are possible');
  return LINKED_SOLVER;
}

/** Solve a block: rows [points x (nk + 1)]. */
export function solveBlock(solver: NamedSolver, task: BoltzmannTask): Float64Array {
  const nk = PK_EMULATOR_GRID.nk;
  const out = new Float64Array(task.points.length * (nk + 1));
  task.points.forEach((p, i) => {
    const k = gridWavenumbers(p);
    const r = solver.solve({ ...p, A_s: 2e-9, ...PK_EMULATOR_FIXED }, k, [0]);
    const y = lnRatioTarget(p, r);
    for (let j = 0; j < nk; j++) {
      if (!Number.isFinite(y[j])) throw new CosmetaError(`${task.label}: the solver gave P=${r.pk[0][j]} at k=${k[j]} for ${JSON.stringify(p)}`);
    }
    out.set(y, i * (nk + 1));
    out[i * (nk + 1) + nk] = r.sigma8;
  });
  return out;
}

if (parentPort) {
  const init = workerData as BoltzmannWorkerInit;
  const solver = trainingSolver(init.standIn);
  serveWorker<BoltzmannTask, Float64Array>(parentPort, (task) => solveBlock(solver, task));
}
