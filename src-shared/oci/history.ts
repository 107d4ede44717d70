/**
 * A build step as a person reads it. Image configs record each step's command as the builder ran
 * it: the classic builder as `/bin/sh -c #(nop) COPY file:… in / ` for a metadata or file step and
 * `/bin/sh -c apk add …` for a RUN; BuildKit as `RUN /bin/sh -c apk add … # buildkit` and
 * `COPY app / # buildkit`. `docker history` and Docker Desktop show the instruction, so this does
 * too: the shell prefix and the `#(nop)` marker go, a shell step reads `RUN …`, BuildKit's trailing
 * `# buildkit` goes, and runs of whitespace (tabs from multi-line steps) become one space. The
 * recorded text stays available for a tooltip or a "full command" view.
 */
export function buildStep(createdBy: string): string {
  let step = createdBy.replace(/\s+/g, ' ').trim();
  step = step.replace(/ # buildkit$/, '');
  const nop = /^\/bin\/(?:ba)?sh -c #\(nop\) ?(.*)$/.exec(step);
  if (nop) return nop[1]!.trim();
  const shell = /^(?:RUN )?\/bin\/(?:ba)?sh -c (.*)$/.exec(step);
  if (shell) return `RUN ${shell[1]!.trim()}`;
  return step;
}
