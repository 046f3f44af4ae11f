; Inno Setup script for Ponder (Inno Setup 6).
;
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\ponder /DOutputDir=dist ^
;        [/DOutputSuffix=-cuda] installer\windows\ponder.iss
;
; Installs per user, without administrator rights, into
; %LOCALAPPDATA%\Programs\Ponder, with a Start menu entry. The uninstaller asks
; whether to keep the user's chats and downloaded models; it deletes them only
; when the answer is "No, remove them".

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\ponder"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef OutputSuffix
  #define OutputSuffix ""
#endif

[Setup]
AppId={{8E3C7A52-4F0B-4C55-9B8E-2D7A41C3F0D1}
AppName=Ponder
AppVersion={#AppVersion}
AppPublisher=Ponder developers
DefaultDirName={autopf}\Ponder
DefaultGroupName=Ponder
DisableProgramGroupPage=yes
; Per-user install only: no UAC prompt, {autopf} becomes %LOCALAPPDATA%\Programs.
; No "install for all users" choice (PrivilegesRequiredOverridesAllowed): an
; elevated install runs as the administrator account, so {localappdata} in
; [Code] below (and the first launch from [Run]) would be that account's, not
; the user's, and the uninstaller would offer to delete the wrong data folder.
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=Ponder-{#AppVersion}-windows-setup{#OutputSuffix}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\ponder.exe
UninstallDisplayName=Ponder {#AppVersion}

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade must not leave the previous version's libraries behind: llama.cpp
; loads every ggml-*.dll it finds in llama_cpp\lib, so a stale backend or
; runtime DLL could be picked up. The whole bundle folder is replaced.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Ponder"; Filename: "{app}\ponder.exe"
Name: "{group}\Uninstall Ponder"; Filename: "{uninstallexe}"
Name: "{userdesktop}\Ponder"; Filename: "{app}\ponder.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\ponder.exe"; Description: "{cm:LaunchProgram,Ponder}"; Flags: nowait postinstall skipifsilent

[Code]
// Ponder keeps chats (data), settings (config), logs and models under the
// user's local app-data folder (platformdirs: %LOCALAPPDATA%\Ponder). They
// survive an uninstall unless the user asks to remove them.
function PonderDataDir(): String;
begin
  Result := ExpandConstant('{localappdata}\Ponder');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Answer: Integer;
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(PonderDataDir()) then
  begin
    if UninstallSilent() then
      exit; // silent uninstalls never delete user data
    Answer := MsgBox('Keep your Ponder chats and downloaded models?' + #13#10#13#10 +
      'Yes: keep them in ' + PonderDataDir() + ' for a later install.' + #13#10 +
      'No, remove them: delete that folder now (this cannot be undone).',
      mbConfirmation, MB_YESNO or MB_DEFBUTTON1);
    if Answer = IDNO then
    begin
      if not DelTree(PonderDataDir(), True, True, True) then
        MsgBox('Some files in ' + PonderDataDir() + ' could not be removed. ' +
          'Close Ponder and delete the folder by hand.', mbError, MB_OK);
    end;
  end;
end;
