import { faceFlags, peopleFlags } from '../scoring/faces/peopleFlags';
import { cutReason, eyesReason, faceName, flagReasons, focusReason } from './peopleWording';
import type { Tile } from '../state/libraryStore';
import { usePeopleChecks } from '../state/peopleChecks';
import { showBidiControls } from './safeName';
import { FlagAccuracyNote } from './FlagAccuracyNote';
import { useThumbnailUrl } from './useThumbnailUrl';

/**
 * The explain panel's people section: each face numbered on the thumbnail (largest first, the numbers the
 * sentences use), what was found about its eyes, focus and framing, and why each flag was raised.
 */
export function PeopleInsights({ tile }: { tile: Tile }) {
  const enabled = usePeopleChecks((s) => s.enabled);
  const people = tile.people;
  const thumbUrl = useThumbnailUrl(tile.id, tile.hasThumb && !!people?.counts.faces);
  if (!people) {
    const why = tile.peopleNote ?? (enabled ? 'not checked yet (they run after the image is analysed).' : 'people checks are off (switch them on in the header).');
    return (
      <p data-testid="insights-people" data-state="unchecked">
        People: {why}
      </p>
    );
  }
  const { counts } = people;
  const flags = peopleFlags(people);
  const summary =
    counts.faces === 0
      ? 'No face found.'
      : `${counts.faces} face${counts.faces === 1 ? '' : 's'}: ${[
          counts.open && `${counts.open} with eyes open`,
          counts.oneClosed && `${counts.oneClosed} with one eye closed`,
          counts.bothClosed && `${counts.bothClosed} with both eyes closed`,
          counts.eyesNotJudged && `${counts.eyesNotJudged} too small to judge`,
        ]
          .filter(Boolean)
          .join(', ')}${counts.soft ? ` · ${counts.soft} soft` : ''}${counts.cut ? ` · ${counts.cut} cut by the frame` : ''}.`;
  return (
    <section data-testid="insights-people" data-state="checked">
      <h4>
        People{people.peopleScore !== null ? ` · people score ${people.peopleScore.toFixed(2)}` : ''}
      </h4>
      <p>
        {summary}
        {people.dropped > 0 ? ` (${people.dropped} weak or doubled detection${people.dropped === 1 ? '' : 's'} ignored.)` : ''}
      </p>
      {people.decidingFace !== null && people.peopleScore !== null && people.peopleScore < 0.995 && (
        <p data-testid="people-deciding" data-face={people.decidingFace + 1}>
          The worst face sets the people score (in a burst, the frame where everyone looks good wins):{' '}
          {faceName(people, people.decidingFace)}: {eyesReason(people.faces[people.decidingFace])} · {focusReason(people.faces[people.decidingFace])} ·{' '}
          {cutReason(people.faces[people.decidingFace])}.
        </p>
      )}
      {counts.faces > 0 && thumbUrl && (
        <div className="faces-thumb">
          <img src={thumbUrl} alt={`${showBidiControls(tile.name)} with its faces numbered`} />
          {people.faces.map((f, i) => (
            <span
              key={f.index}
              className={`face-box ${faceFlags(f).length > 0 ? 'flagged' : ''}`}
              style={{ left: `${100 * f.box.x}%`, top: `${100 * f.box.y}%`, width: `${100 * f.box.width}%`, height: `${100 * f.box.height}%` }}
            >
              <b>{i + 1}</b>
            </span>
          ))}
        </div>
      )}
      {flags.length > 0 && (
        <ul>
          {flags.flatMap((flag) =>
            flagReasons(flag, people).map((line) => (
              <li key={line} data-testid="people-flag-reason" data-flag={flag}>
                {line}
              </li>
            )),
          )}
        </ul>
      )}
      {flags.map((flag) => (
        <FlagAccuracyNote key={flag} flag={flag} />
      ))}
      {counts.faces > 0 && (
        <details open={counts.faces <= 4}>
          <summary>Every face</summary>
          <ol className="faces">
            {people.faces.map((f, i) => (
              <li key={f.index} data-testid="face-line">
                {faceName(people, i)}: {eyesReason(f)} · {focusReason(f)} · {cutReason(f)}
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}
