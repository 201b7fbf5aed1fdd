// The README's "Security audit stream" example is what the product publishes for that record.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleCorrectionRecord } from '../../support/auditRecords';
import { describe, expect, it } from 'vitest';
import { auditEventSource, auditEventType, auditSeverity, toAuditEvent, type AuditEventAction, type AuditEventRecord } from '../../../src/domain/auditEvent';

const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

/** The text of the README's "### Security audit stream" subsection. */
function section(): string {
  const start = readme.indexOf('\n### Security audit stream\n');
  if (start === -1) throw new Error('README.md has no "### Security audit stream" subsection');
  const body = readme.slice(readme.indexOf('\n', start + 1) + 1);
  const end = body.search(/^#{2,3} /m);
  return end === -1 ? body : body.slice(0, end);
}

const exampleRecord: AuditEventRecord = exampleCorrectionRecord;

describe('README: security audit stream', () => {
  it('shows, as its example, exactly the event published for that record', () => {
    const example = /```json\n([\s\S]*?)\n```/.exec(section());
    expect(example, 'a ```json example in the subsection').not.toBeNull();
    expect(JSON.parse(example![1]!)).toEqual(toAuditEvent(exampleRecord, auditEventSource('contoso-fleet.azure-devices.net')));
  });

  it('names every action with its type and severity', () => {
    const actions: AuditEventAction[] = ['provisioned', 'assigned', 'corrected', 'drift-observed', 'contested', 'assignment-unreadable', 'baseline-missing', 'agent-rejected'];
    const text = section();
    for (const action of actions) {
      expect(text).toContain(`\`${action}\``);
      expect(text).toMatch(new RegExp(`\`${auditSeverity(action)}\`[^\\n]*\`${action}\`|\`${action}\`[^\\n]*\`${auditSeverity(action)}\``));
    }
    expect(text).toContain(`\`${auditEventType('corrected').replace('corrected', '<action>')}\``);
  });
});
