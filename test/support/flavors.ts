import { MySqlEngine } from '../../lib';

/** Every engine flavor, by the name of its factory, for tests that go through all of them. */
export const FLAVORS: Array<[string, () => MySqlEngine]> = [
  ['mysql84', () => MySqlEngine.mysql84()],
  ['mysql80', () => MySqlEngine.mysql80()],
  ['mysql57Legacy', () => MySqlEngine.mysql57Legacy()],
  ['mariadb1011', () => MySqlEngine.mariadb1011()],
  ['mariadb114', () => MySqlEngine.mariadb114()],
];
