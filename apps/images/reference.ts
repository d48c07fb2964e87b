/**
 * The images app's one window onto the reference solutions (project 2): the image task of m2 (also run on its
 * own by the worker processes of --processes) and the tracked batch with progress of m3, which runs on m1's
 * thread pool.
 */
export {
  type FailOn,
  type ImageTask,
  Operation,
  type OutputFormat,
  type ProcessOptions,
  processImage,
} from '../../solutions/p2-image-pool/m2-image-tasks/image-task.ts';
export { fixtures, makeImage, makePngBomb, tempDir } from '../../solutions/p2-image-pool/m2-image-tasks/test-images.ts';
export type { ProgressSnapshot } from '../../solutions/p2-image-pool/m3-progress/progress.ts';
/** The thread pool's tracked batch (m3, on m1's pool and the kit), loaded only by the thread path: a worker
 * process, which only runs image tasks, then starts without it (~0.02 s of CPU less per child). */
export const loadTrackedBatch = () => import('../../solutions/p2-image-pool/m3-progress/tracked-batch.ts');
