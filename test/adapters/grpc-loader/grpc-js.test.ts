import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import * as heddleLoader from '../../../src-ts/adapters/grpc-loader/index.js';
import { run } from './route-guide-program.js';

// grpc-node's route_guide and helloworld programs, with @grpc/proto-loader and heddle/grpc-loader
// on either side: every pairing sees the same replies.
describe('route_guide and helloworld through grpc-js', () => {
  it('give the same transcript with either loader on either side', async () => {
    const reference = await run(protoLoader, protoLoader);
    expect(reference.sayHello).toEqual({ message: 'Hello world' });
    expect((reference.listFeatures as unknown[]).length).toBe(4);
    expect(reference.recordRoute).toMatchObject({ point_count: 5, feature_count: 4 });
    expect((reference.routeChat as unknown[]).length).toBe(2);
    expect(await run(heddleLoader, heddleLoader)).toEqual(reference);
    expect(await run(heddleLoader, protoLoader)).toEqual(reference);
    expect(await run(protoLoader, heddleLoader)).toEqual(reference);
  });
});
