/**
 * The valid name an operator most likely meant, or undefined when no candidate is an obvious match.
 * "Obvious" means: the same name in another letter case, or the unique closest candidate within a few
 * edits (about one edit per four characters, at least two), so a suggestion is never a wild guess.
 */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameIgnoringCase = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameIgnoringCase !== undefined) return sameIgnoringCase;

  const allowed = Math.max(2, Math.floor(name.length / 4));
  let best: string | undefined;
  let bestDistance = allowed + 1;
  let tied = false;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tied = false;
    } else if (distance === bestDistance) {
      tied = true;
    }
  }
  return tied ? undefined : best;
}

/**
 * Levenshtein distance (insertions, deletions and substitutions cost one each), computed row by row;
 * `diagonal` and `left` carry the neighbours of the cell being filled so no index can fall off a row.
 */
function editDistance(a: string, b: string): number {
  const bChars = Array.from(b);
  let above = Array.from({ length: bChars.length + 1 }, (_, j) => j);
  let distance = bChars.length;
  Array.from(a).forEach((charA, i) => {
    let diagonal = i;
    let left = i + 1;
    const row = [left];
    above.slice(1).forEach((up, j) => {
      left = Math.min(up + 1, left + 1, diagonal + (charA === bChars[j] ? 0 : 1));
      diagonal = up;
      row.push(left);
    });
    above = row;
    distance = left;
  });
  return distance;
}
