import { type TestCase } from '../harness';
import { codeCases } from './code.cases';
import { codecCases } from './codec.cases';
import { fileCases } from './files.cases';
import { pakeCases } from './pake.cases';
import { propertyCases } from './property.cases';
import { sessionCases } from './session.cases';
import { vectorCases } from './vectors.cases';

/** The whole portable suite, in the order it runs in Node and in Chromium. */
export const allCases: readonly TestCase[] = [
  ...vectorCases,
  ...sessionCases,
  ...fileCases,
  ...codecCases,
  ...propertyCases,
  ...pakeCases,
  ...codeCases,
];
