"""The learning-rate finder's result as a view: the loss at each rate tried, smoothed, and
the suggestion (nncli.session.lrfind finds them), for the task they were found on."""

from dataclasses import dataclass

from nncli.views import Numbers


@dataclass
class LrCurve(Numbers):
    task: str  # the task's name, for the command to try next
    finding: object  # the session's LrFinding (views sit below sessions, so not imported here)

    def to_json(self):
        return {"task": self.task, **self.finding.as_dict()}
