// The protobuf API as users import it, from the sources under test.
export { protobuf } from '../../../src-ts/index.js';
export { HeddleError } from '../../../src-ts/errors.js';
