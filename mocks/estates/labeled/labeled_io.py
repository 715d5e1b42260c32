"""What every labeled-estate generator writes: STEM.yaml (JSON is YAML) under its header comment,
and STEM.truth.csv with the truth rows sorted."""
import csv, json, os


def write(out, stem, header, estate, truth, ensure_ascii=True):
    with open(os.path.join(out, stem + ".yaml"), "w") as f:
        f.write(header + json.dumps(estate, indent=1, ensure_ascii=ensure_ascii) + "\n")
    with open(os.path.join(out, stem + ".truth.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["check_id", "resource", "status", "why"])
        w.writerows(sorted(truth))
