/**
 * The operations of a run as plain data (what the command line asked for), turned into the reference's image
 * operations where the images are processed: in the thread pool's path, and in each worker process (which
 * receives the plain form over IPC, so that the parent never loads sharp or the reference when it only hands
 * out files).
 */
import { Operation } from './reference.ts';

export interface OperationSpec {
  readonly resize?: { readonly width: number; readonly height: number };
  readonly blur?: number;
  readonly brighten?: number;
}

/** The operations in the order the command applies them: resize, blur, brighten. */
export function operationsOf(spec: OperationSpec): Operation[] {
  const operations: Operation[] = [];
  if (spec.resize) operations.push(Operation.resize(spec.resize.width, spec.resize.height));
  if (spec.blur !== undefined) operations.push(Operation.blur(spec.blur));
  if (spec.brighten !== undefined) operations.push(Operation.brighten(spec.brighten));
  return operations;
}
