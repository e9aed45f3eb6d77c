import { useDecodeOptions } from '../state/decodeOptions';
import { exactPreprocessingSetting } from '../state/settings';

/**
 * Header switch: the exact preprocessing path (every JPEG decoded at full size, as Python's PIL does) instead
 * of the fast one (decoded at a k/8 scale); saved; `?exact=on|off` overrides it for one visit. Applies to
 * images analysed from now on.
 */
export function ExactToggle() {
  const exact = useDecodeOptions((s) => s.exact);
  const onChange = (on: boolean) => {
    useDecodeOptions.setState({ exact: on });
    void exactPreprocessingSetting.save(on);
  };
  return (
    <label className="sort" title="Decode every JPEG at full size, for scores identical to Python's CLIP pipeline. Slower; off, JPEGs are decoded at a reduced size first (docs/preprocessing.md).">
      <input type="checkbox" checked={exact} data-testid="exact-toggle" onChange={(e) => onChange(e.target.checked)} /> Exact preprocessing
    </label>
  );
}
