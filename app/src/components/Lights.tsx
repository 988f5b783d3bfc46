/** The five ADL lights: light i is on when i ≤ level (5 = next to be deleveraged). */
import { lightsOf } from "../adl/standing.ts";

export function Lights({ level }: { level: number }) {
  return (
    <span className="lights" data-testid="adl-lights" data-level={level} aria-label={`ADL level ${level} of 5`} title={`ADL level ${level} of 5`}>
      {lightsOf(level).map((on, i) => (
        <span key={i} className={on ? `light on l${i + 1}` : "light"} />
      ))}
    </span>
  );
}
