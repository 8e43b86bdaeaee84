// A NestJS gRPC microservice configured with protoLoader: 'heddle/grpc-loader', written with
// decorators applied by hand (plain JavaScript). Prints "listening <port>" once it serves.
// An ES module because NestJS 12 is one: a CommonJS app would need require(esm), which Node 20
// has unflagged only from 20.19 (the x64 musl Node in CI is 20.18).
import 'reflect-metadata';
import { Module, Controller } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, Transport } from '@nestjs/microservices';

class GreeterController {
  sayHello(request) {
    return { message: `Hello ${request.name}` };
  }
}
const descriptor = Object.getOwnPropertyDescriptor(GreeterController.prototype, 'sayHello');
GrpcMethod('Greeter', 'SayHello')(GreeterController.prototype, 'sayHello', descriptor);
Object.defineProperty(GreeterController.prototype, 'sayHello', descriptor);
Controller()(GreeterController);

class AppModule {}
Module({ controllers: [GreeterController] })(AppModule);

async function main() {
  const [protoPath, port] = process.argv.slice(2);
  const app = await NestFactory.createMicroservice(AppModule, {
    transport: Transport.GRPC,
    logger: false,
    options: { package: 'helloworld', protoPath, url: `127.0.0.1:${port}`, protoLoader: 'heddle/grpc-loader', loader: { keepCase: true } },
  });
  await app.listen();
  process.stdout.write(`listening ${port}\n`);
}
main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
