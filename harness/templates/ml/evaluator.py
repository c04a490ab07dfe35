"""Accuracy of the predictions run() returned, against hidden/test_labels.csv.

The hidden labels stay in this folder: the candidate runs in a sandbox that holds only the files
task.yaml lists under entry.inputs.
"""


def _labels():
    with open("hidden/test_labels.csv") as f:
        return [int(line) for line in f.read().split()[1:]]


def evaluate(predictions):
    labels = _labels()
    if not isinstance(predictions, list) or len(predictions) != len(labels):
        return {"valid": False, "error": f"return one prediction per test.csv row "
                                         f"({len(labels)} rows)"}
    if any(p not in (0, 1) for p in predictions):
        return {"valid": False, "error": "every prediction must be 0 or 1"}
    acc = sum(int(p == t) for p, t in zip(predictions, labels)) / len(labels)
    return {"score": acc, "accuracy": acc, "feedback": f"accuracy {acc:.4f}"}
