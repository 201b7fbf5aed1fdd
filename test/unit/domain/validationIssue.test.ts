import { describe, expect, it } from 'vitest';
import { describeIssues, errorIssue, hasErrors, toValidated, warningIssue } from '../../../src/domain/validationIssue';

const error = errorIssue('settings.a', 'rule-a', 'a is wrong');
const warning = warningIssue('settings.b', 'rule-b', 'b is not optimal');

describe('validationIssue', () => {
  it('builds issues with their severity', () => {
    expect(error).toEqual({ path: 'settings.a', rule: 'rule-a', message: 'a is wrong', severity: 'error' });
    expect(warning).toEqual({ path: 'settings.b', rule: 'rule-b', message: 'b is not optimal', severity: 'warning' });
  });

  it.each([
    { issues: [], expected: false },
    { issues: [warning], expected: false },
    { issues: [warning, error], expected: true },
  ])('hasErrors is $expected for $issues.length issue(s)', ({ issues, expected }) => {
    expect(hasErrors(issues)).toBe(expected);
  });

  it('is valid with warnings when no issue is an error', () => {
    expect(toValidated(42, [warning])).toEqual({ ok: true, value: 42, warnings: [warning] });
  });

  it('is invalid with every issue, warnings included, when any issue is an error', () => {
    expect(toValidated(42, [warning, error])).toEqual({ ok: false, issues: [warning, error] });
  });

  it('describes issues on one line, naming the root when the path is empty', () => {
    expect(describeIssues([error, errorIssue('', 'shape', 'not an object')])).toBe(
      'error at settings.a: a is wrong; error at (root): not an object',
    );
  });
});
