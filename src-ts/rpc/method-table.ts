import { ErrorCode, HeddleError } from '../errors.js';
import type { MethodBinding, ServiceBinding } from './binding.js';

/** A method table keyed by name, with the lookup every binding shares. */
export class MethodTable implements Pick<ServiceBinding, 'methods' | 'method'> {
  constructor(
    private readonly serviceName: string,
    readonly methods: ReadonlyMap<string, MethodBinding>,
  ) {}

  method(name: string): MethodBinding {
    const method = this.methods.get(name);
    if (method === undefined) throw new HeddleError(ErrorCode.ERR_UNKNOWN_TYPE, `service ${this.serviceName} has no method '${name}'`);
    return method;
  }
}
