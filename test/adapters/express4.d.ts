// Express 4, installed as the alias express4 (npm:express@4) so the adapter is tested on both majors.
declare module 'express4' {
  import type { Express, RequestHandler } from 'express';

  interface Express4 {
    (): Express;
    json(): RequestHandler;
  }
  const express: Express4;
  export default express;
}
