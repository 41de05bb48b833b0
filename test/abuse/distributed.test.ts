/** The abuse suite (issue #11) against a distributed-mode server, its Redis and a worker process: see lib/suite.ts. */
import { abuseSuite } from './lib/suite.ts';

abuseSuite('distributed');
