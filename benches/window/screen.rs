//! The window bench's eyes and fingers: an X client that finds the window
//! of a process, sees each change of its pixels (X DAMAGE says something
//! was drawn; a copy of the window through shared memory, compared with the
//! last one, says whether a pixel changed) and presses keys (XTest).

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt as _;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use x11rb::connection::Connection as _;
use x11rb::protocol::Event;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::shm::ConnectionExt as _;
use x11rb::protocol::xproto::{
    self, AtomEnum, ChangeWindowAttributesAux, ConnectionExt as _, EventMask, ImageFormat,
    InputFocus,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

/// X keysyms the bench types.
pub mod keysym {
    /// The left Control key.
    pub const CONTROL: u32 = 0xffe3;
    /// Backspace.
    pub const BACKSPACE: u32 = 0xff08;
    /// The letter `e`.
    pub const E: u32 = 0x65;
    /// The letter `f`.
    pub const F: u32 = 0x66;
}

/// A connection to the X server in `DISPLAY`, with its events stamped as
/// they arrive (a reader thread waits for them).
pub struct Screen {
    conn: Arc<RustConnection>,
    root: xproto::Window,
    pid_atom: xproto::Atom,
    keycodes: HashMap<u32, u8>,
    events: Receiver<(Instant, Event)>,
}

impl Screen {
    /// Connects, and asks to hear of every window mapped on the root window.
    pub fn connect() -> Result<Self, Box<dyn std::error::Error>> {
        let (conn, screen) = RustConnection::connect(None)?;
        let conn = Arc::new(conn);
        let root = conn.setup().roots[screen].root;
        conn.damage_query_version(1, 1)?.reply()?;
        let shm = conn.shm_query_version()?.reply()?;
        if (shm.major_version, shm.minor_version) < (1, 2) {
            return Err("the X server's MIT-SHM cannot take a memfd (needs 1.2)".into());
        }
        conn.change_window_attributes(
            root,
            &ChangeWindowAttributesAux::new().event_mask(EventMask::SUBSTRUCTURE_NOTIFY),
        )?
        .check()?;
        let pid_atom = conn.intern_atom(false, b"_NET_WM_PID")?.reply()?.atom;
        let keycodes = keycodes(&conn)?;
        let (sender, events) = mpsc::channel();
        let reader = Arc::clone(&conn);
        std::thread::spawn(move || {
            while let Ok(event) = reader.wait_for_event() {
                if sender.send((Instant::now(), event)).is_err() {
                    break;
                }
            }
        });
        Ok(Self {
            conn,
            root,
            pid_atom,
            keycodes,
            events,
        })
    }

    /// Waits up to `limit` for a window of process `pid` to be mapped, and
    /// starts watching its pixels.
    pub fn window_of(&self, pid: u32, limit: Duration) -> Result<Watched<'_>, String> {
        let deadline = Instant::now() + limit;
        loop {
            let (_, event) = self
                .next_event(deadline)
                .ok_or_else(|| format!("no window of process {pid} within {limit:?}"))?;
            if let Event::MapNotify(map) = event
                && self.pid_of(map.window) == Some(pid)
            {
                return Watched::new(self, map.window).map_err(|err| err.to_string());
            }
        }
    }

    /// Forgets the events received so far (those of earlier windows).
    pub fn forget_events(&self) {
        while self.events.try_recv().is_ok() {}
    }

    fn next_event(&self, deadline: Instant) -> Option<(Instant, Event)> {
        let left = deadline.checked_duration_since(Instant::now())?;
        self.events.recv_timeout(left).ok()
    }

    fn pid_of(&self, window: xproto::Window) -> Option<u32> {
        let reply = (self.conn)
            .get_property(false, window, self.pid_atom, AtomEnum::CARDINAL, 0, 1)
            .ok()?
            .reply()
            .ok()?;
        reply.value32()?.next()
    }

    /// Presses and releases `keys` in order as one chord (the first ones
    /// held while the last is pressed); returns when the press of the last
    /// one was sent.
    pub fn press(&self, keys: &[u32]) -> Instant {
        let code = |key| self.keycodes[&key];
        let fake = |kind, key| {
            (self.conn)
                .xtest_fake_input(kind, code(key), x11rb::CURRENT_TIME, self.root, 0, 0, 0)
                .expect("send a fake key");
        };
        let (&last, held) = keys.split_last().expect("a key");
        for &key in held {
            fake(xproto::KEY_PRESS_EVENT, key);
        }
        let sent = Instant::now();
        fake(xproto::KEY_PRESS_EVENT, last);
        self.conn.flush().expect("flush");
        for &key in keys.iter().rev() {
            fake(xproto::KEY_RELEASE_EVENT, key);
        }
        self.conn.flush().expect("flush");
        sent
    }
}

/// The keycode of each keysym of the server's keyboard map (the first one).
fn keycodes(conn: &RustConnection) -> Result<HashMap<u32, u8>, Box<dyn std::error::Error>> {
    let setup = conn.setup();
    let (first, last) = (setup.min_keycode, setup.max_keycode);
    let map = conn
        .get_keyboard_mapping(first, last - first + 1)?
        .reply()?;
    let per_code = usize::from(map.keysyms_per_keycode).max(1);
    let mut codes = HashMap::new();
    for (index, syms) in map.keysyms.chunks(per_code).enumerate() {
        for &sym in syms {
            codes.entry(sym).or_insert(first + index as u8);
        }
    }
    Ok(codes)
}

/// One window whose pixels are watched: a damage object on it and a
/// shared-memory segment (a memfd the server writes the window into).
pub struct Watched<'a> {
    screen: &'a Screen,
    window: xproto::Window,
    damage: damage::Damage,
    segment: u32,
    pixels: File,
    size: (u16, u16),
    last: Vec<u8>,
}

impl<'a> Watched<'a> {
    fn new(screen: &'a Screen, window: xproto::Window) -> Result<Self, Box<dyn std::error::Error>> {
        let conn = &screen.conn;
        let damage = conn.generate_id()?;
        conn.damage_create(damage, window, damage::ReportLevel::NON_EMPTY)?
            .check()?;
        let geometry = conn.get_geometry(window)?.reply()?;
        let bytes = u64::from(geometry.width) * u64::from(geometry.height) * 4;
        let memfd = rustix::fs::memfd_create("window-pixels", rustix::fs::MemfdFlags::CLOEXEC)?;
        rustix::fs::ftruncate(&memfd, bytes)?;
        let pixels = File::from(memfd);
        let segment = conn.generate_id()?;
        conn.shm_attach_fd(segment, pixels.try_clone()?, false)?
            .check()?;
        Ok(Self {
            screen,
            window,
            damage,
            segment,
            pixels,
            size: (geometry.width, geometry.height),
            last: Vec::new(),
        })
    }

    /// Copies the window's pixels now; true when any differs from the last copy.
    fn copy_changed(&mut self) -> Result<bool, Box<dyn std::error::Error>> {
        let (width, height) = self.size;
        let image = (self.screen.conn)
            .shm_get_image(
                self.window,
                0,
                0,
                width,
                height,
                !0,
                ImageFormat::Z_PIXMAP.into(),
                self.segment,
                0,
            )?
            .reply()?;
        let mut now = vec![0; image.size as usize];
        self.pixels.read_exact_at(&mut now, 0)?;
        let changed = now != self.last;
        self.last = now;
        Ok(changed)
    }

    /// True when the last copy has more than one colour (something was
    /// drawn, not only the background).
    fn shows_something(&self) -> bool {
        let mut pixels = self.last.chunks_exact(4);
        let first = pixels.next();
        pixels.any(|pixel| Some(pixel) != first)
    }

    /// When the window first shows more than one colour, within `limit`.
    pub fn first_paint(&mut self, limit: Duration) -> Option<Instant> {
        let now = Instant::now();
        self.copy_changed().ok()?;
        if self.shows_something() {
            return Some(now);
        }
        let deadline = now + limit;
        while let Some(changed) = self.next_change(deadline) {
            if self.shows_something() {
                return Some(changed);
            }
        }
        None
    }

    /// When the pixels next change, if they do before `deadline`: the time
    /// the damage event that showed the change arrived.
    pub fn next_change(&mut self, deadline: Instant) -> Option<Instant> {
        loop {
            let (arrived, event) = self.screen.next_event(deadline)?;
            let Event::DamageNotify(notify) = event else {
                continue;
            };
            if notify.damage != self.damage {
                continue;
            }
            let conn = &self.screen.conn;
            conn.damage_subtract(self.damage, x11rb::NONE, x11rb::NONE)
                .ok()?;
            if self.copy_changed().ok()? {
                return Some(arrived);
            }
        }
    }

    /// The last change of the pixels before they stay the same for `still`
    /// (`since`: the last change known), giving up at `limit` after it.
    pub fn settle(&mut self, since: Instant, still: Duration, limit: Duration) -> Instant {
        let give_up = since + limit;
        let mut last = since;
        while let Some(changed) = self.next_change((last + still).min(give_up)) {
            last = changed;
        }
        last
    }

    /// Gives the window the keyboard focus (there is no window manager).
    pub fn focus(&self) {
        let conn = &self.screen.conn;
        if let Ok(cookie) =
            conn.set_input_focus(InputFocus::PARENT, self.window, x11rb::CURRENT_TIME)
        {
            cookie.check().ok();
        }
    }
}

impl Drop for Watched<'_> {
    fn drop(&mut self) {
        let conn = &self.screen.conn;
        conn.damage_destroy(self.damage).ok();
        conn.shm_detach(self.segment).ok();
        conn.flush().ok();
    }
}
