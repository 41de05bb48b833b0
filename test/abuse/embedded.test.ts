/** The abuse suite (issue #11) against an embedded-mode server: see lib/suite.ts. */
import { abuseSuite } from './lib/suite.ts';

abuseSuite('embedded');
