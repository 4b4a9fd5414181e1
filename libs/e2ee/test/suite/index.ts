import { type TestCase } from '../harness';
import { sessionCases } from './session.cases';

export const allCases: readonly TestCase[] = [...sessionCases];
