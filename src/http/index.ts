export type { Jwk, JwkSet, JwtKeyResolver } from '../util/jwk.js';
export type { BodySource, NodeReadableLike } from './body.js';
export { actorFromJwt, DEFAULT_MFA_METHODS, type JwtActorOptions, type WithHeaders } from './jwt.js';
export { notFound } from './not-found.js';
export { type HttpAnswer, PRIVATE_HEADERS, PROBLEM_TYPE_BASE, type ProblemDocument, toProblem } from './problem.js';
export {
  type CompiledRoute,
  compileRoute,
  type DeclaredPurpose,
  type HandlerContext,
  type HandlerResult,
  type HeaderReader,
  type IncomingRequest,
  outputBypass,
  type PipelineOptions,
  type RouteDeclaration,
  type RouteOutput,
  type RouteRequest,
  type ServerErrorReport,
  type UndeclaredPurpose,
} from './route.js';
