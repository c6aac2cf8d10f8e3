// Types for redis-parser 3 (the RESP parser ioredis used up to v5), as far as resp.ts uses it.
declare module 'redis-parser' {
  interface RedisParserOptions {
    returnReply(reply: unknown): void;
    returnError(error: Error): void;
    returnFatalError?(error: Error): void;
    returnBuffers?: boolean;
    stringNumbers?: boolean;
  }
  export default class RedisParser {
    constructor(options: RedisParserOptions);
    execute(chunk: Buffer): void;
    reset(): void;
  }
}
