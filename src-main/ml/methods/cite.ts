/**
 * A method's short citation, "Chen et al. 2020", read from its `reference`
 * ("Authors, Title (Venue Year); code: …", the authors possibly "A, B & C"): for lists where
 * the whole reference is too long (`pretext train --help`, the Train view's cards). A
 * reference without a year (the baselines) has none: null.
 */
export function shortCite(reference: string): string | null {
  const year = /\((?:[^()]*\s)?((?:19|20)\d\d)\)/.exec(reference)?.[1];
  if (!year) return null;
  const [first, second] = reference.split(', ');
  const authors = second !== undefined && second.includes(' & ') && !second.includes('(') ? `${first}, ${second}` : first!;
  return `${authors} ${year}`;
}
