"""The key ceremony as the committee holds it: trustees on their own computers, the server relaying."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from admin.cli import main
from crypto import group as g
from crypto.elgamal import Ciphertext
from crypto.threshold import decrypt_with_shares, make_decryption_share
from election import ceremony_relay as relay
from election.key_ceremony import ceremony_of, completed_ceremony
from election.models import AuditEntry, CeremonyMessage, CommitteeMember, Election
from election.models.committee import Role
from election.procedure import Phase
from election.procedure_store import PRECONDITIONS
from election.trustee_tool import open_backup
from election.voting_codes import identity_of
from tests.conftest import https_client
from tests.helpers import Account, csrf_token, make_member, sign_in
from tests.web.ceremony_factory import complete_ceremony
from tests.web.register_factory import make_election
from tests.web.voting_factory import make_final_lists_election

PASSPHRASE = "a long trustee passphrase"


class Trustee:
    """One committee member with a browser session and a working directory of their own."""

    def __init__(self, app: Any, account: Account, workdir: Path, election_id: int) -> None:
        self.app, self.account, self.dir, self.election_id = app, account, workdir, election_id
        workdir.mkdir()
        self.client = https_client(app)
        sign_in(self.client, account, app)
        self.passfile = workdir / "passphrase.txt"
        self.passfile.write_text(PASSPHRASE + "\n")
        self.state = workdir / "state.json"

    @property
    def base(self) -> str:
        return f"/committee/elections/{self.election_id}/ceremony"

    def download(self, what: str) -> Path:
        response = self.client.get(f"{self.base}/{what}.json")
        assert response.status_code == 200, response.status_code
        path = self.dir / f"{what}.json"
        path.write_bytes(response.data)
        return path

    def run(self, *args: str, passfile: Path | None = None) -> Any:
        return CliRunner().invoke(
            main,
            ["trustee", *args, "--state", str(self.state), "--passphrase-file", str(passfile or self.passfile)],
        )

    def step(self, command: str, *, bundle: bool = True) -> Path:
        out = self.dir / f"{command}.json"
        extra = ["--bundle", str(self.download("bundle"))] if bundle else []
        result = self.run(command, *extra, "--out", str(out))
        assert result.exit_code == 0, result.output
        return out

    def upload(self, path: Path) -> str:
        page = self.client.get(self.base)
        response = self.client.post(
            f"{self.base}/upload",
            data={"csrf_token": csrf_token(page), "message": (BytesIO(path.read_bytes()), path.name)},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        return response.get_data(as_text=True)


def _trustees(app: Any, tmp_path: Path, election_id: int) -> list[Trustee]:
    accounts = [make_member(app, Role.CHAIR, "chair@example.org")] + [
        make_member(app, Role.MEMBER, f"member{i}@example.org") for i in (2, 3)
    ]
    return [Trustee(app, a, tmp_path / f"t{j}", election_id) for j, a in enumerate(accounts, start=1)]


def _set_up(trustees: list[Trustee]) -> str:
    chair = trustees[0]
    page = chair.client.get(chair.base)
    data = {"csrf_token": csrf_token(page), "members": [str(t.account.id) for t in trustees]}
    return chair.client.post(f"{chair.base}/set-up", data=data, follow_redirects=True).get_data(as_text=True)


def _start(app: Any, tmp_path: Path) -> tuple[int, list[Trustee]]:
    election_id = make_final_lists_election(app)
    trustees = _trustees(app, tmp_path, election_id)
    assert "The key ceremony has started" in _set_up(trustees)
    for t in trustees:
        result = t.run("init", "--election-file", str(t.download("invitation")))
        assert result.exit_code == 0, result.output
    return election_id, trustees


def _stage(trustees: list[Trustee], command: str, *, bundle: bool = True) -> list[Path]:
    files = [t.step(command, bundle=bundle) for t in trustees]
    for t, path in zip(trustees, files, strict=True):
        assert "refused" not in t.upload(path)
    return files


def test_three_trustees_create_a_two_of_three_key_through_the_cli_and_the_relay(app, db_session, tmp_path):
    election_id, trustees = _start(app, tmp_path)
    for command in ("commit", "reveal", "deal"):
        _stage(trustees, command, bundle=command != "commit")
    for t in trustees:
        text = t.upload(t.step("receive"))
    assert "The key ceremony is complete and its transcript verifies." in text

    done = completed_ceremony(db_session, election_id)
    assert done is not None and done.threshold == 2 and len(done.trustees) == 3
    assert done.transcript.complaints == () and done.transcript.qualified == (1, 2, 3)
    # H_P of every proof and share encryption is the hash of the manifest frozen at set-up.
    identity = identity_of(db_session, election_id)
    assert identity is not None
    assert done.transcript.params.params_hash.hex() == identity.manifest_hash
    assert json.loads(trustees[0].download("bundle").read_text())["params_hash"] == identity.manifest_hash
    shares = {}
    for j, t in enumerate(trustees, start=1):
        result = t.run("finish", "--bundle", str(t.download("bundle")), "--backup", str(t.dir / "share.json"))
        assert result.exit_code == 0, result.output
        member, share = open_backup(json.loads((t.dir / "share.json").read_text()), PASSPHRASE)
        assert member == j and g.base_mul(share) == done.verification_keys[j]
        shares[j] = share
    r = g.random_scalar()
    ct = Ciphertext(g.base_mul(r), g.add(g.mul(r, done.joint_key), g.int_mul(5, g.BASE)))
    for pair in ((1, 2), (1, 3), (2, 3)):
        parts = [make_decryption_share(bytes(64), j, shares[j], ct) for j in pair]
        assert decrypt_with_shares(ct, parts, 2) == 5

    keys_page = trustees[2].client.get(f"{trustees[2].base}/keys").get_data(as_text=True)
    assert done.joint_key.hex() in keys_page
    for j in (1, 2, 3):
        for c in done.transcript.dealings[j].commitments:
            assert c.hex() in keys_page
    actions = [e.action for e in db_session.query(AuditEntry).order_by(AuditEntry.seq)]
    assert actions.count("key_ceremony_commit") == 3 and actions.count("key_ceremony_complaints") == 3
    assert "key_ceremony_set_up" in actions and actions[-1] == "key_ceremony_completed"
    assert actions.index("manifest_frozen") < actions.index("key_ceremony_set_up")
    # The server never stored a share in the clear: every stored deal holds only ciphertexts.
    for row in db_session.query(CeremonyMessage).filter_by(kind="deal"):
        assert {"recipient", "nonce", "ciphertext"} == set(json.loads(row.body)["shares"][0])


def test_a_reveal_before_every_commit_is_in_is_refused(app, db_session, tmp_path):
    _, trustees = _start(app, tmp_path)
    _stage(trustees[:2], "commit", bundle=False)
    result = trustees[0].run("reveal", "--bundle", str(trustees[0].download("bundle")))
    assert result.exit_code != 0 and "waiting for member(s) 3" in result.output
    # A reveal made by hand from the state file is refused by the server too.
    text = trustees[0].upload(_reveal_file(trustees[0]))
    assert "still waiting for trustee(s) 3" in text
    assert db_session.query(CeremonyMessage).filter_by(kind="reveal").count() == 0


def _reveal_file(trustee: Trustee) -> Path:
    """A genuine reveal made while the bundle lacked a commit (as a trustee might hand-craft it)."""
    from crypto.threshold import make_dealing
    from election.ceremony_messages import Message
    from election.trustee_tool import open_state

    invitation, secrets_ = open_state(json.loads(trustee.state.read_text()), PASSPHRASE)
    dealing = make_dealing(invitation.params, invitation.member, secrets_.coefficients)
    message = Message(invitation.election, invitation.params.params_hash, invitation.member, "reveal", dealing=dealing)
    path = trustee.dir / "reveal-early.json"
    path.write_text(json.dumps(message.to_dict()))
    return path


def test_a_tampered_share_brings_a_complaint_and_the_revealed_share_resolves_it(app, db_session, tmp_path):
    election_id, trustees = _start(app, tmp_path)
    _stage(trustees, "commit", bundle=False)
    _stage(trustees, "reveal")
    deals = [t.step("deal") for t in trustees]
    message = json.loads(deals[0].read_text())
    for share in message["shares"]:
        if share["recipient"] == 2:
            flipped = bytes.fromhex(share["ciphertext"])
            share["ciphertext"] = (bytes([flipped[0] ^ 1]) + flipped[1:]).hex()
    deals[0].write_text(json.dumps(message))
    for t, path in zip(trustees, deals, strict=True):
        assert "Your message was accepted." in t.upload(path)

    receive = CliRunner().invoke(
        main,
        [
            "trustee",
            "receive",
            "--state",
            str(trustees[1].state),
            "--passphrase-file",
            str(trustees[1].passfile),
            "--bundle",
            str(trustees[1].download("bundle")),
            "--out",
            str(trustees[1].dir / "complaints.json"),
        ],
    )
    assert receive.exit_code == 0 and "Complaint against member 1" in receive.output
    for t in trustees:
        path = t.dir / "complaints.json" if t is trustees[1] else t.step("receive")
        assert "Your message was accepted." in t.upload(path)
    assert completed_ceremony(db_session, election_id) is None  # the answer is still due

    not_accused = trustees[2].run("answer", "--bundle", str(trustees[2].download("bundle")))
    assert not_accused.exit_code != 0 and "nothing to answer" in not_accused.output
    assert "complete and its transcript verifies" in trustees[0].upload(trustees[0].step("answer"))

    done = completed_ceremony(db_session, election_id)
    assert done is not None
    assert [(c.accuser, c.accused) for c in done.transcript.complaints] == [(2, 1)]
    assert [(r.dealer, r.recipient) for r in done.transcript.revealed] == [(1, 2)]
    assert done.transcript.qualified == (1, 2, 3)  # the revealed share was right: member 1 stays
    finish = trustees[1].run(
        "finish", "--bundle", str(trustees[1].download("bundle")), "--backup", str(trustees[1].dir / "share.json")
    )
    assert finish.exit_code == 0, finish.output
    _, share = open_backup(json.loads((trustees[1].dir / "share.json").read_text()), PASSPHRASE)
    assert g.base_mul(share) == done.verification_keys[2]
    keys_page = trustees[0].client.get(f"{trustees[0].base}/keys").get_data(as_text=True)
    assert "Trustee 2 complained about the share from trustee 1." in keys_page


def test_a_wrong_passphrase_does_not_open_the_state_file(app, tmp_path):
    _, trustees = _start(app, tmp_path)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    result = trustees[0].run("commit", passfile=wrong)
    assert result.exit_code != 0
    assert "wrong passphrase: the state file cannot be opened" in result.output


def test_only_the_trustee_themselves_can_upload_their_messages(app, db_session, tmp_path):
    _, trustees = _start(app, tmp_path)
    outsider = make_member(app, Role.MEMBER, "outsider@example.org")
    client = https_client(app)
    sign_in(client, outsider, app)
    commit = trustees[0].step("commit", bundle=False)
    page = client.get(trustees[0].base)
    response = client.post(
        f"{trustees[0].base}/upload",
        data={"csrf_token": csrf_token(page), "message": (BytesIO(commit.read_bytes()), "commit.json")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "You are not a trustee of this key ceremony." in response.get_data(as_text=True)
    assert "This message is from trustee 1; you are trustee 2." in trustees[1].upload(commit)
    assert client.get(f"{trustees[0].base}/invitation.json").status_code == 403
    secretary = make_member(app, Role.SECRETARY, "secretary@example.org")
    sec_client = https_client(app)
    sign_in(sec_client, secretary, app)
    assert sec_client.post(f"{trustees[0].base}/upload", data={}).status_code in (400, 403)
    assert db_session.query(CeremonyMessage).count() == 0
    assert "Your message was accepted." in trustees[0].upload(commit)
    assert "You have already uploaded this step" in trustees[0].upload(commit)


def test_the_ceremony_starts_only_with_final_lists_and_the_regulations_number_of_trustees(app, db_session, tmp_path):
    election_id = make_final_lists_election(app, phase="lists_published")
    trustees = _trustees(app, tmp_path, election_id)
    assert "once the candidate lists are final" in _set_up(trustees)
    db_session.get(Election, election_id).phase = "lists_final"
    db_session.commit()
    assert "The regulation asks for 3 trustees; you chose 2." in _set_up(trustees[:2])
    assert identity_of(db_session, election_id) is None  # a refused set-up freezes nothing
    assert "The key ceremony has started" in _set_up(trustees)
    db_session.expire_all()
    identity, ceremony = identity_of(db_session, election_id), ceremony_of(db_session, election_id)
    assert identity is not None and ceremony is not None
    assert ceremony.params_hash == identity.manifest_hash
    assert json.loads(identity.manifest)["committee"] == {"trustees": 3, "threshold": 2}


def test_the_set_up_is_refused_when_the_manifest_cannot_be_frozen(app, db_session, tmp_path):
    election_id = make_election(app, phase="lists_final")  # final, but no group holds a vote: no ballot
    trustees = _trustees(app, tmp_path, election_id)
    text = _set_up(trustees)
    assert "The key ceremony has started" not in text
    assert "which cannot be frozen yet: no electoral group holds a vote" in text
    assert ceremony_of(db_session, election_id) is None and identity_of(db_session, election_id) is None


def test_a_restarted_ceremony_is_bound_to_the_same_frozen_manifest(app, db_session):
    election_id = make_final_lists_election(app)
    election = db_session.get(Election, election_id)
    ids = [make_member(app, role, f"t{i}@example.org").id for i, role in enumerate([Role.CHAIR] + [Role.MEMBER] * 2)]
    now = app.config["CLOCK"].now()
    first = relay.set_up_ceremony(db_session, election, ids, "t0@example.org", now).params_hash
    relay.cancel_ceremony(db_session, election, "t0@example.org")
    second = relay.set_up_ceremony(db_session, election, ids[::-1], "t0@example.org", now).params_hash
    identity = identity_of(db_session, election_id)
    assert identity is not None and first == second == identity.manifest_hash
    actions = [e.action for e in db_session.query(AuditEntry).filter_by(election_id=election_id)]
    assert actions.count("manifest_frozen") == 1


def test_voting_cannot_open_without_a_completed_ceremony(app, db_session):
    election = db_session.get(Election, make_final_lists_election(app))
    today = app.config["CLOCK"].today()

    def problems() -> list[str]:
        return [m for check in PRECONDITIONS[Phase.VOTING] for m in check(db_session, election, today)]

    assert any("key ceremony has not been completed" in p for p in problems())
    ids = [make_member(app, Role.MEMBER, f"m{i}@example.org").id for i in range(3)]
    complete_ceremony(db_session, election, [db_session.get(CommitteeMember, i) for i in ids], 2)
    db_session.commit()
    assert not any("key ceremony" in p for p in problems())
